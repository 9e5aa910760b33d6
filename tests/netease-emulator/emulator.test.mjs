// The NetEase emulator driven by requests the npm package @neteasecloudmusicapienhanced/api
// encrypts (its client functions, in process), for every scheme and endpoint group.
//
//   node --test tests/netease-emulator/

import { test, before, after, beforeEach } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { createInterface } from 'node:readline'

import { NcmClient } from './client.mjs'
import { ncm } from './wire.mjs'
import { startEmulator } from './server.mjs'

const here = path.dirname(fileURLToPath(import.meta.url))
const SECRET = 'emulatorTestKey1'
const PRESET = 'EMU_MUSIC_U_PRESET_10001'

let child
let base
let stateDir

before(async () => {
  stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'netease-emu-test-'))
  const scenarioFile = path.join(stateDir, 'scenario.json')
  fs.writeFileSync(scenarioFile, JSON.stringify({ weapi: { secrets: [SECRET] } }))
  child = spawn(process.execPath, [path.join(here, 'server.mjs'), '--port', '0', '--state', stateDir, '--scenario', scenarioFile], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const line = await new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve)
    child.once('exit', (code) => reject(new Error(`the emulator exited (${code})`)))
  })
  const { port } = JSON.parse(line)
  assert.ok(Number.isInteger(port) && port > 0)
  base = `http://127.0.0.1:${port}`
})

after(() => {
  child.kill('SIGTERM')
  fs.rmSync(stateDir, { recursive: true, force: true })
})

beforeEach(async () => {
  await control('POST', '/reset')
})

async function control(method, p, body) {
  const res = await fetch(`${base}/__control${p}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  return res.json()
}

const client = (opts = {}) => new NcmClient(base, { weapiSecret: SECRET, ...opts })
const loggedIn = () => {
  const c = client()
  c.credentials.MUSIC_U = PRESET
  return c
}

test('the CLI printed its port and listens on loopback only', async () => {
  const res = await fetch(`${base}/__control/state`)
  assert.equal(res.status, 200)
  assert.match(base, /^http:\/\/127\.0\.0\.1:\d+$/)
})

test('QR login over eapi: 801 waiting, 802 scanned, 803 confirmed with MUSIC_U, then 800', async () => {
  const c = client()
  const key = await c.eapi('/api/login/qrcode/unikey', { type: 3 })
  assert.equal(key.body.code, 200)
  const unikey = key.body.unikey
  assert.ok(unikey)
  const check = () => c.eapi('/api/login/qrcode/client/login', { key: unikey, type: 3 })
  assert.equal((await check()).body.code, 801)
  await control('POST', `/qr/${unikey}/scan`)
  const scanned = await check()
  assert.equal(scanned.body.code, 802)
  assert.equal(scanned.body.nickname, 'Emulated Listener')
  await control('POST', `/qr/${unikey}/confirm`)
  const done = await check()
  assert.equal(done.body.code, 803)
  assert.ok(done.setCookie.some((l) => /^MUSIC_U=EMU_MUSIC_U_[0-9a-f]+;/.test(l)))
  c.keepCookies(done.setCookie)
  assert.equal((await check()).body.code, 800, 'a used key is gone')

  const status = await c.weapi('/api/w/nuser/account/get')
  assert.equal(status.body.code, 200)
  assert.equal(status.body.profile.userId, 10001)
  assert.equal(status.body.account.vipType, 11)

  const other = await c.eapi('/api/login/qrcode/unikey', { type: 3 })
  await control('POST', `/qr/${other.body.unikey}/expire`)
  assert.equal((await c.eapi('/api/login/qrcode/client/login', { key: other.body.unikey, type: 3 })).body.code, 800)
})

test('weapi: a known secret opens, e_r encrypts the reply, an unknown secret is refused', async () => {
  const c = loggedIn()
  const daily = await c.weapi('/api/v3/discovery/recommend/songs', {}, { e_r: true })
  assert.equal(daily.body.code, 200)
  assert.equal(daily.body.data.dailySongs.length, 5)
  const first = daily.body.data.dailySongs[0]
  for (const field of ['id', 'name', 'ar', 'al', 'dt', 'fee', 'privilege']) assert.ok(field in first, field)
  assert.equal(typeof first.privilege.maxbr, 'number')

  const stranger = client({ weapiSecret: 'someOtherSecret9' })
  stranger.credentials.MUSIC_U = PRESET
  const refused = await stranger.weapi('/api/v3/discovery/recommend/songs')
  assert.equal(refused.status, 400)
  assert.match(refused.body.message, /weapi/)
})

test('weapi in opaque mode routes a request it cannot open, without its parameters', async () => {
  const emu = await startEmulator({ scenario: { weapi: { unknownSecret: 'opaque' } } })
  try {
    const c = new NcmClient(emu.url)
    c.credentials.MUSIC_U = PRESET
    const r = await c.weapi('/api/v1/radio/get')
    assert.equal(r.body.code, 200)
    assert.equal(r.body.data.length, 3)
    const [entry] = emu.emulator.log
    assert.equal(entry.decrypted, false)
  } finally {
    await emu.close()
  }
})

test('weapi with a key pair of its own: any secret hidden with its public key opens', async () => {
  const emu = await startEmulator({ scenario: { weapi: { rsa: 'generate' } } })
  try {
    assert.match(emu.weapiModulus, /^[0-9a-f]{256}$/)
    assert.ok(parseInt(emu.weapiModulus[0], 16) >= 8, 'a full 1024-bit modulus')
    const c = new NcmClient(emu.url, { weapiModulus: emu.weapiModulus })
    c.credentials.MUSIC_U = PRESET
    // Random secrets (no replayed Math.random): the emulator undoes the RSA itself.
    const lists = await c.weapi('/api/user/playlist', { uid: 10001, limit: 30, offset: 0, includeVideo: true })
    assert.equal(lists.body.code, 200)
    assert.ok(lists.body.playlist.length >= 2)
    const details = await c.weapi('/api/v3/song/detail', { c: '[{"id":1001}]' }, { e_r: true })
    assert.equal(details.body.songs[0].id, 1001)
    const entries = emu.emulator.log.filter((e) => e.scheme === 'weapi')
    assert.ok(entries.every((e) => e.decrypted === true), 'opened, parameters and all')
    assert.equal((await (await fetch(`${emu.url}/__control/weapi/key`)).json()).modulus, emu.weapiModulus)
    // NetEase's own key with a secret it was not told is still refused.
    const stranger = new NcmClient(emu.url)
    stranger.credentials.MUSIC_U = PRESET
    assert.equal((await stranger.weapi('/api/v1/radio/get')).status, 400)
  } finally {
    await emu.close()
  }
})

test('weapi key pair from the scenario, and --weapi-rsa generate prints the modulus', async () => {
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 1024, publicExponent: 65537 })
  const privateKeyPem = privateKey.export({ format: 'pem', type: 'pkcs8' })
  const modulus = Buffer.from(privateKey.export({ format: 'jwk' }).n, 'base64url').toString('hex')
  const emu = await startEmulator({ scenario: { weapi: { rsa: { privateKeyPem } } } })
  try {
    assert.equal(emu.weapiModulus, modulus)
    const c = new NcmClient(emu.url, { weapiModulus: modulus })
    c.credentials.MUSIC_U = PRESET
    assert.equal((await c.weapi('/api/v1/radio/get')).body.code, 200)
  } finally {
    await emu.close()
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netease-emu-rsa-'))
  const cli = spawn(process.execPath, [path.join(here, 'server.mjs'), '--port', '0', '--state', dir, '--weapi-rsa', 'generate'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  try {
    const line = await new Promise((resolve, reject) => {
      createInterface({ input: cli.stdout }).once('line', resolve)
      cli.once('exit', (code) => reject(new Error(`the emulator exited (${code})`)))
    })
    const started = JSON.parse(line)
    assert.ok(started.port > 0)
    assert.match(started.weapiModulus, /^[0-9a-f]{256}$/)
  } finally {
    cli.kill('SIGTERM')
    fs.rmSync(dir, { recursive: true, force: true })
  }
})

test('a request whose crypto does not decrypt gets HTTP 400', async () => {
  const c = client()
  const form = ncm.eapi('/api/song/lyric/v1', { id: 1001 })
  const tampered = form.params.slice(0, -32) + (form.params.slice(-32, -31) === 'A' ? 'B' : 'A') + form.params.slice(-31)
  let r = NcmClient.read(await c.post('/eapi/song/lyric/v1', { params: tampered }), 'plain')
  assert.equal(r.status, 400)
  // The right crypto sent to another path.
  r = NcmClient.read(await c.post('/eapi/cloudsearch/pc', form), 'plain')
  assert.equal(r.status, 400)
  assert.match(r.body.message, /\/api\/song\/lyric\/v1/)
  r = NcmClient.read(await c.post('/api/linux/forward', { eparams: 'ABCD' }), 'plain')
  assert.equal(r.status, 400)
  await c.fetchXeapiKey()
  const x = ncm.xeapi('/api/song/lyric/v1', { id: 1 }, { publicKeyState: { ...c.xeapiKey, sk: 'wrong' } })
  r = NcmClient.read(await c.post('/xeapi/song/lyric/v1', x, { 'X-Client-Enc-State': 'ENCRYPTED' }), 'plain')
  assert.equal(r.status, 400)
  assert.match(r.body.message, /sk/)
})

test('xeapi: key exchange, song URLs per level, a session handed out and used', async () => {
  const c = loggedIn()
  const key = await c.fetchXeapiKey()
  assert.ok(key.publicKey && key.sk && key.version)
  const again = await c.fetchXeapiKey()
  assert.equal(again.sk, key.sk, 'a refresh keeps sk')

  const url = (id, level) => c.xeapi('/api/song/enhance/player/url/v1', { ids: `[${id}]`, level, encodeType: 'flac' })
  const first = await url(1001, 'exhigh')
  assert.ok(c.xeapiSession, 'the first reply starts a session')
  const [e] = first.body.data
  assert.equal(e.code, 200)
  assert.equal(e.level, 'exhigh')
  assert.equal(e.br, 320000)
  assert.match(e.url, new RegExp(`^${base}/__audio/1001-exhigh\\.`))

  const lossless = (await url(1001, 'lossless')).body.data[0]
  assert.equal(lossless.level, 'lossless')
  const capped = (await url(1001, 'hires')).body.data[0]
  assert.equal(capped.level, 'lossless', 'a level the song lacks falls back to its best')

  const log = await control('GET', '/log?api=/api/song/enhance/player/url/v1')
  assert.deepEqual(log.entries.map((x) => x.xeapi.session), [false, true, true])
  assert.ok(log.entries.every((x) => x.scheme === 'xeapi' && x.gzip && x.encryptedReply))

  await control('POST', '/xeapi/rotate')
  const stale = await url(1001, 'standard')
  assert.equal(stale.status, 400, 'a replaced key version is refused')
  c.xeapiSession = null
  await c.fetchXeapiKey()
  assert.equal((await url(1001, 'standard')).body.data[0].level, 'standard')
})

test('song URLs: VIP-only, trial, fee 8, greyed; audio served with ranges, different per song, 403 when expired', async () => {
  await control('POST', '/user', { vipType: 0 })
  const c = loggedIn()
  const r = await c.xeapi('/api/song/enhance/player/url/v1', { ids: '[1001,1002,1003,1004,1005]', level: 'lossless' })
  const [free, fee8, vip, trial, grey] = r.body.data
  assert.equal(free.level, 'exhigh', 'non-VIP: lossless is not offered, exhigh is')
  assert.equal(fee8.level, 'standard')
  assert.equal(fee8.fee, 8)
  assert.equal(vip.url, null)
  assert.equal(vip.fee, 1)
  assert.equal(vip.code, -110)
  assert.ok(trial.url)
  assert.deepEqual(trial.freeTrialInfo, { fragmentType: 0, start: 0, end: 30, algData: null })
  assert.equal(grey.url, null)
  assert.equal(grey.code, 404)

  const a = await fetch(free.url)
  assert.equal(a.status, 200)
  const bytesA = Buffer.from(await a.arrayBuffer())
  assert.equal(bytesA.length, free.size)
  const bytesB = Buffer.from(await (await fetch(fee8.url)).arrayBuffer())
  assert.notDeepEqual(bytesA.subarray(-4096), bytesB.subarray(-4096))
  if (free.type === 'mp3') assert.ok(bytesA.subarray(0, 3).toString() === 'ID3' || bytesA[0] === 0xff)
  else assert.equal(bytesA.subarray(0, 4).toString(), 'RIFF')
  const part = await fetch(free.url, { headers: { range: 'bytes=10-19' } })
  assert.equal(part.status, 206)
  assert.deepEqual(Buffer.from(await part.arrayBuffer()), bytesA.subarray(10, 20))

  await control('POST', '/audio/expire')
  assert.equal((await fetch(free.url)).status, 403)
})

test('playlists: user playlists, a 10 000-track playlist, song details in batches of at most 1000', async () => {
  const c = loggedIn()
  const lists = await c.weapi('/api/user/playlist', { uid: 10001, limit: 30, offset: 0, includeVideo: true })
  assert.equal(lists.body.playlist[0].specialType, 5)
  const big = lists.body.playlist.find((p) => p.name === 'Ten Thousand')
  assert.equal(big.trackCount, 10000)

  const detail = await c.eapi('/api/v6/playlist/detail', { id: big.id, n: 100000, s: 8 }, { e_r: true, aeapi: true })
  assert.equal(detail.body.playlist.trackIds.length, 10000)
  assert.equal(detail.body.playlist.tracks.length, 1000)
  assert.equal(detail.body.privileges.length, 1000)

  const ids = detail.body.playlist.trackIds.map((t) => t.id)
  let names = 0
  for (let i = 0; i < ids.length; i += 1000) {
    const batch = ids.slice(i, i + 1000)
    const r = await c.weapi('/api/v3/song/detail', { c: JSON.stringify(batch.map((id) => ({ id }))) })
    assert.equal(r.body.songs.length, batch.length)
    assert.equal(r.body.privileges.length, batch.length)
    names += r.body.songs.length
  }
  assert.equal(names, 10000)
  const tooMany = await c.weapi('/api/v3/song/detail', { c: JSON.stringify(ids.slice(0, 1001).map((id) => ({ id }))) })
  assert.equal(tooMany.body.code, 400)
})

test('albums and artists over weapi: songs with privileges (VIP-only, greyed), top songs, albums paged', async () => {
  const c = loggedIn()
  const song = (await c.weapi('/api/v3/song/detail', { c: JSON.stringify([{ id: 1012 }]) })).body.songs[0]
  const albumId = song.al.id
  const artistId = song.ar[0].id

  const album = await c.weapi(`/api/v1/album/${albumId}`, {})
  assert.equal(album.body.code, 200)
  assert.equal(album.body.album.name, 'Deep Cuts')
  assert.equal(album.body.album.artist.id, artistId)
  assert.equal(album.body.album.size, 4)
  assert.deepEqual(album.body.songs.map((s) => s.id), [1011, 1012, 1013, 1014])
  assert.deepEqual(album.body.songs.map((s) => s.no), [1, 2, 3, 4])
  const by = Object.fromEntries(album.body.songs.map((s) => [s.id, s.privilege]))
  assert.equal(by[1012].fee, 1)
  assert.equal(by[1013].st, -200)
  assert.equal(by[1013].pl, 0)
  // A listener without VIP gets no bitrate for the VIP-only song.
  const guest = await client().weapi(`/api/v1/album/${albumId}`, {})
  assert.equal(guest.body.songs.find((s) => s.id === 1012).privilege.pl, 0)

  const artist = await c.weapi(`/api/v1/artist/${artistId}`, {})
  assert.equal(artist.body.artist.name, 'Catalogue Quartet')
  assert.equal(artist.body.artist.albumSize, 2)
  assert.equal(artist.body.hotSongs.length, 5)
  assert.ok(artist.body.hotSongs.every((s) => s.privilege && s.privilege.id === s.id))

  const first = await c.weapi(`/api/artist/albums/${artistId}`, { limit: 1, offset: 0, total: true })
  assert.deepEqual(first.body.hotAlbums.map((a) => a.name), ['Deep Cuts'])
  assert.equal(first.body.more, true)
  const rest = await c.weapi(`/api/artist/albums/${artistId}`, { limit: 1, offset: 1, total: true })
  assert.deepEqual(rest.body.hotAlbums.map((a) => a.name), ['B-Sides'])
  assert.equal(rest.body.more, false)

  assert.equal((await c.weapi('/api/v1/album/1', {})).body.code, 404)
  assert.equal((await c.weapi('/api/v1/artist/1', {})).body.code, 404)
})

test('saved albums and followed artists over weapi: the logged-in user\'s, paged; a guest is refused', async () => {
  const c = loggedIn()
  const song = (await c.weapi('/api/v3/song/detail', { c: JSON.stringify([{ id: 1012 }]) })).body.songs[0]
  const albums = await c.weapi('/api/album/sublist', { limit: 25, offset: 0, total: true })
  assert.equal(albums.body.code, 200)
  assert.deepEqual(albums.body.data.map((a) => [a.id, a.name]), [[song.al.id, 'Deep Cuts']])
  assert.equal(albums.body.data[0].artists[0].id, song.ar[0].id)
  assert.equal(albums.body.count, 1)
  assert.equal(albums.body.hasMore, false)
  const artists = await c.weapi('/api/artist/sublist', { limit: 25, offset: 0, total: true })
  assert.deepEqual(artists.body.data.map((a) => [a.id, a.name]), [[song.ar[0].id, 'Catalogue Quartet']])
  assert.equal(artists.body.data[0].albumSize, 2)
  assert.equal(artists.body.hasMore, false)
  assert.deepEqual((await c.weapi('/api/artist/sublist', { limit: 25, offset: 1 })).body.data, [])
  assert.notEqual((await client().weapi('/api/album/sublist', { limit: 25, offset: 0 })).body.code, 200)
})

test('lyrics (lrc, tlyric, romalrc, yrc), search over plain api, linuxapi song detail', async () => {
  const c = client()
  const full = await c.eapi('/api/song/lyric/v1', { id: 1006, cp: false, tv: 0, lv: 0, rv: 0, kv: 0, yv: 0, ytv: 0, yrv: 0 })
  assert.match(full.body.lrc.lyric, /\[00:00\.00\]/)
  assert.match(full.body.tlyric.lyric, /译文/)
  assert.match(full.body.romalrc.lyric, /roma/)
  assert.match(full.body.yrc.lyric, /^\[0,\d+\]\(0,\d+,0\)/m)
  // Every song with lyrics has them word by word (its words in order, after the line's start).
  const morning = await c.eapi('/api/song/lyric/v1', { id: 1001 })
  assert.match(morning.body.yrc.lyric, /^\[0,2500\]\(0,625,0\)Loopback \(625,625,0\)Morning /m)
  assert.match(morning.body.tlyric.lyric, /^\[00:02\.50\]译文 2$/m)
  const none = await c.eapi('/api/song/lyric/v1', { id: 1007 })
  assert.equal(none.body.nolyric, true)

  const found = await c.eapi('/api/cloudsearch/pc', { s: 'paywall', type: 1, limit: 30, offset: 0, total: true })
  assert.equal(found.body.result.songCount, 2)
  assert.ok(found.body.result.songs.every((s) => s.privilege))
  const plain = await c.api('/api/cloudsearch/pc', { s: 'loopback', type: 1 })
  assert.equal(plain.body.result.songs[0].id, 1001)

  const lin = await c.linuxapi('/api/v3/song/detail', { c: '[{"id":1005}]' })
  assert.equal(lin.body.songs[0].id, 1005)
  assert.equal(lin.body.privileges[0].st, -200, 'a greyed song has st < 0')
  const log = await control('GET', '/log')
  assert.deepEqual(log.entries.map((e) => e.scheme), ['eapi', 'eapi', 'eapi', 'eapi', 'api', 'linuxapi'])
})

test('likes, personal FM and trash, cloud disk, scrobble, anonymous registration', async () => {
  const c = loggedIn()
  assert.deepEqual((await c.eapi('/api/song/like/get', { uid: 10001 })).body.ids, [1001, 1006])
  const liked = await c.weapi('/api/radio/like', { alg: 'itembased', trackId: 1002, like: true, time: '3' })
  assert.equal(liked.body.code, 200)
  assert.ok(liked.body.playlistId)
  await c.xeapi('/api/v1/radio/like', { alg: 'itembased', trackId: 1001, like: false, time: '3' })
  assert.deepEqual((await c.eapi('/api/song/like/get', { uid: 10001 })).body.ids, [1002, 1006])

  const fm = await c.weapi('/api/v1/radio/get')
  assert.equal(fm.body.data.length, 3)
  assert.ok(fm.body.data[0].privilege && fm.body.data[0].album && fm.body.data[0].artists)
  await c.weapi('/api/radio/trash/add', { songId: 1006, alg: 'RT', time: 25 })
  assert.ok((await c.weapi('/api/v1/radio/get')).body.data.every((s) => s.id !== 1006))

  const cloud = await c.eapi('/api/v1/cloud/get', { limit: 30, offset: 0 })
  assert.equal(cloud.body.data[0].simpleSong.id, 1008)

  const logs = [{ action: 'play', json: { id: 1001, type: 'song', wifi: 0, download: 0, time: 5, end: 'playend', source: 'list' } }]
  const s = await c.eapi('/api/feedback/weblog', { logs: JSON.stringify(logs) })
  assert.equal(s.body.code, 200)
  assert.equal((await control('GET', '/state')).scrobbles[0].json.id, 1001)

  const anon = client()
  const reg = await anon.xeapi('/api/register/anonimous', { username: 'ZW11bGF0b3I=' })
  assert.equal(reg.body.code, 200)
  assert.ok(reg.setCookie.some((l) => l.startsWith('MUSIC_A=')))
})

test('phone, SMS and email logins: cookies on success; 501, 502, 503, 509 and 405 as NetEase answers them', async () => {
  const md5 = (s) => crypto.createHash('md5').update(s).digest('hex')
  const c = client()
  const wrong = await c.weapi('/api/w/login/cellphone', { type: '1', https: 'true', phone: '13800138000', countrycode: '86', password: md5('nope'), remember: 'true' })
  assert.deepEqual([wrong.body.code, wrong.setCookie.length], [502, 0])
  const unknown = await c.weapi('/api/w/login/cellphone', { phone: '13900000000', countrycode: '86', password: md5('correct horse') })
  assert.equal(unknown.body.code, 501)
  const right = await c.weapi('/api/w/login/cellphone', { type: '1', https: 'true', phone: '13800138000', countrycode: '86', password: md5('correct horse'), remember: 'true' })
  assert.equal(right.body.code, 200)
  assert.equal(right.body.profile.userId, 10001)
  const musicU = right.setCookie.find((l) => l.startsWith('MUSIC_U=')).split(';')[0].slice('MUSIC_U='.length)
  const me = client()
  me.credentials.MUSIC_U = musicU
  assert.equal((await me.weapi('/api/w/nuser/account/get')).body.profile.userId, 10001)

  const email = await client().eapi('/api/w/login', { type: '0', https: 'true', username: 'Listener@163.com', password: md5('correct horse'), rememberLogin: 'true' })
  assert.equal(email.body.code, 200)
  assert.ok(email.setCookie.some((l) => l.startsWith('MUSIC_U=')))

  // SMS: a code "sent" is read from the control endpoint; a second one within a minute is 405.
  const sent = await c.weapi('/api/sms/captcha/sent', { ctcode: '86', secrete: 'music_middleuser_pclogin', cellphone: '13800138000' })
  assert.equal(sent.body.code, 200)
  assert.equal((await c.weapi('/api/sms/captcha/sent', { ctcode: '86', cellphone: '13800138000' })).body.code, 405)
  const { code } = (await control('GET', '/sms')).sent.at(-1)
  assert.match(code, /^\d{4}$/)
  const badCode = String((Number(code) + 1) % 10000).padStart(4, '0')
  assert.equal((await c.weapi('/api/w/login/cellphone', { phone: '13800138000', countrycode: '86', captcha: badCode })).body.code, 503)
  const bySms = await c.weapi('/api/w/login/cellphone', { phone: '13800138000', countrycode: '86', captcha: code })
  assert.equal(bySms.body.code, 200)
  assert.equal((await c.weapi('/api/w/login/cellphone', { phone: '13800138000', countrycode: '86', captcha: code })).body.code, 503, 'a code is used once')

  for (let i = 0; i < 5; i++) await c.weapi('/api/w/login/cellphone', { phone: '13800138000', countrycode: '86', password: md5('nope') })
  assert.equal((await c.weapi('/api/w/login/cellphone', { phone: '13800138000', countrycode: '86', password: md5('correct horse') })).body.code, 509)
})

test('recently played follows scrobbled starts; charts open as playlists; heartbeat; search suggestions', async () => {
  const c = loggedIn()
  const recent = await c.weapi('/api/play-record/song/list', { limit: 100 })
  assert.deepEqual(recent.body.data.list.map((r) => r.data.id), [1006, 1002])
  assert.ok(recent.body.data.list[0].data.privilege)
  const logs = [{ action: 'startplay', json: { id: '1011', type: 'song', mainsite: '1', content: 'id=' } }]
  await c.eapi('/api/feedback/weblog', { logs: JSON.stringify(logs) })
  assert.deepEqual((await c.weapi('/api/play-record/song/list', { limit: 2 })).body.data.list.map((r) => r.data.id), [1011, 1006])
  assert.notEqual((await client().weapi('/api/play-record/song/list', { limit: 100 })).body.code, 200)

  const charts = await client().eapi('/api/toplist', {})
  assert.deepEqual(charts.body.list.map((x) => [x.id, x.name, x.updateFrequency]), [[19723756, '飙升榜', '每天更新'], [3779629, '新歌榜', '每天更新']])
  const chart = await c.eapi('/api/v6/playlist/detail', { id: 19723756, n: 1000, s: 8 })
  assert.deepEqual(chart.body.playlist.trackIds.map((t) => t.id), [1006, 1001, 1003, 1005])

  const liked = (await c.weapi('/api/user/playlist', { uid: '10001', limit: 30, offset: 0 })).body.playlist[0].id
  const beat = await c.eapi('/api/playmode/intelligence/list', { songId: '1001', type: 'fromPlayOne', playlistId: String(liked), startMusicId: '1001', count: 1 })
  assert.equal(beat.body.code, 200)
  assert.equal(beat.body.data[0].songInfo.id, 1001)
  assert.ok(beat.body.data.slice(1).every((x) => x.recommended && x.songInfo.id !== 1006 && x.privilege))
  assert.equal((await c.eapi('/api/playmode/intelligence/list', { songId: '1001', playlistId: '1', startMusicId: '1001', count: 1 })).body.code, 400)

  const suggest = await client().weapi('/api/search/suggest/web', { s: 'quartet' })
  assert.deepEqual(suggest.body.result.artists.map((a) => a.name), ['Catalogue Quartet'])
  assert.deepEqual(suggest.body.result.albums.map((a) => a.name).sort(), ['B-Sides', 'Deep Cuts'])
  assert.ok(suggest.body.result.songs.length >= 5)
  assert.deepEqual((await client().weapi('/api/search/suggest/web', { s: 'zzzz' })).body.result, {})
})

test('playlists: create one, add songs (newest first, a duplicate refused), remove one', async () => {
  const c = loggedIn()
  const created = await c.weapi('/api/playlist/create', { name: 'Road Trip', privacy: '0', type: 'NORMAL' })
  assert.equal(created.body.code, 200)
  const id = created.body.id
  assert.equal(created.body.playlist.name, 'Road Trip')
  assert.ok((await c.weapi('/api/user/playlist', { uid: '10001', limit: 30, offset: 0 })).body.playlist.some((p) => p.id === id))
  const edit = (op, ids) => c.eapi('/api/playlist/manipulate/tracks', { op, pid: String(id), trackIds: JSON.stringify(ids.map(String)), imme: 'true' })
  assert.equal((await edit('add', [1001])).body.code, 200)
  assert.equal((await edit('add', [1006, 1011])).body.count, 3)
  assert.equal((await edit('add', [1001])).body.code, 502)
  assert.equal((await edit('del', [1006])).body.code, 200)
  assert.deepEqual((await control('GET', '/state')).playlists[id].trackIds, [1011, 1001])
  assert.equal((await c.weapi('/api/playlist/create', { name: '  ' })).body.code, 400)
  assert.notEqual((await client().weapi('/api/playlist/create', { name: 'x' })).body.code, 200)
})

test('cover pictures: a PNG per path, sized by param', async () => {
  const res = await fetch(`${base}/emulator/40001.jpg?param=16y16`)
  assert.equal(res.status, 200)
  assert.equal(res.headers.get('content-type'), 'image/png')
  const body = Buffer.from(await res.arrayBuffer())
  assert.deepEqual([...body.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
  assert.equal(body.readUInt32BE(16), 16)
  const other = Buffer.from(await (await fetch(`${base}/emulator/40002.jpg?param=16y16`)).arrayBuffer())
  assert.notDeepEqual(body, other)
})

test('search finds albums, artists and playlists too (types 10, 100, 1000)', async () => {
  const c = loggedIn()
  const search = (s, type) => c.eapi('/api/cloudsearch/pc', { s, type, limit: 30, offset: 0, total: true })
  assert.deepEqual((await search('quartet', 10)).body.result.albums.map((a) => a.name).sort(), ['B-Sides', 'Deep Cuts'])
  assert.deepEqual((await search('quartet', 100)).body.result.artists.map((a) => a.name), ['Catalogue Quartet'])
  assert.deepEqual((await search('mix', 1000)).body.result.playlists.map((p) => p.name), ['Emulated Mix'])
  assert.equal((await search('zzzz', 10)).body.result.albumCount, 0)
})

test('login needed: 301 without MUSIC_U or with a revoked one, or the scenario code', async () => {
  const anon = client()
  assert.equal((await anon.weapi('/api/v3/discovery/recommend/songs')).body.code, 301)
  assert.equal((await anon.weapi('/api/w/nuser/account/get')).body.profile, null)
  const c = loggedIn()
  assert.equal((await c.eapi('/api/song/like/get', { uid: 10001 })).body.code, 200)
  await control('POST', '/session/expire')
  assert.equal((await c.eapi('/api/song/like/get', { uid: 10001 })).body.code, 301)

  const emu = await startEmulator({ scenario: { session: { badTokenCode: 8810 } } })
  try {
    const d = new NcmClient(emu.url)
    d.credentials.MUSIC_U = 'not-a-token'
    assert.equal((await d.eapi('/api/song/like/get', { uid: 1 })).body.code, 8810)
  } finally {
    await emu.close()
  }
})

test('risk codes on demand: -462 with a verify page that clears it, 8821, -460, 8830', async () => {
  const c = loggedIn()
  await control('POST', '/fault', { path: '/api/v3/discovery/recommend/songs', code: -462 })
  const blocked = await c.weapi('/api/v3/discovery/recommend/songs', {}, { e_r: true })
  assert.equal(blocked.body.code, -462)
  const verifyUrl = blocked.body.data.verifyUrl
  assert.match(verifyUrl, new RegExp(`^${base}/__verify\\?id=\\d+$`))
  assert.match(await (await fetch(verifyUrl)).text(), /<form/)
  assert.equal((await c.weapi('/api/v3/discovery/recommend/songs')).body.code, -462, 'still blocked until verified')
  await fetch(verifyUrl, { method: 'POST' })
  assert.equal((await c.weapi('/api/v3/discovery/recommend/songs')).body.code, 200)

  for (const code of [8821, -460, 8830]) {
    await control('POST', '/fault', { path: '/api/song/enhance/player/url/v1', code, times: 1 })
    assert.equal((await c.xeapi('/api/song/enhance/player/url/v1', { ids: '[1001]', level: 'standard' })).body.code, code)
  }
  assert.equal((await c.xeapi('/api/song/enhance/player/url/v1', { ids: '[1001]', level: 'standard' })).body.code, 200)
})

test('faults: HTTP 500, a reset connection, a slow endpoint', async () => {
  const c = loggedIn()
  await control('POST', '/fault', { path: '/api/v1/radio/get', http: 500, times: 1 })
  assert.equal((await c.post('/weapi/v1/radio/get', { params: 'x', encSecKey: 'y' })).status, 400, 'crypto is checked first')
  const r = await c.weapi('/api/v1/radio/get')
  assert.equal(r.status, 500)
  assert.equal((await c.weapi('/api/v1/radio/get')).status, 200, 'times: 1')
  await control('POST', '/fault', { path: '/api/song/lyric/v1', reset: true, times: 1 })
  await assert.rejects(c.eapi('/api/song/lyric/v1', { id: 1001 }))
  await control('POST', '/fault', { path: '/api/song/lyric/v1', delayMs: 300, times: 1 })
  const t0 = Date.now()
  assert.equal((await c.eapi('/api/song/lyric/v1', { id: 1001 })).body.code, 200)
  assert.ok(Date.now() - t0 >= 290)
})

test('the request log: scheme per endpoint, own requestId per eapi request, tokens redacted', async () => {
  const c = loggedIn()
  await Promise.all([
    c.eapi('/api/song/lyric/v1', { id: 1001 }),
    c.eapi('/api/song/lyric/v1', { id: 1006 }),
    c.weapi('/api/v3/song/detail', { c: '[{"id":1001}]' }),
  ])
  const { entries } = await control('GET', '/log')
  const eapi = entries.filter((e) => e.scheme === 'eapi')
  assert.equal(eapi.length, 2)
  assert.notEqual(eapi[0].params.header.requestId, eapi[1].params.header.requestId)
  assert.equal(eapi[0].params.header.MUSIC_U, '<redacted>')
  assert.equal(entries.find((e) => e.scheme === 'weapi').cookies.MUSIC_U, '<redacted>')
  assert.ok(!JSON.stringify(entries).includes(PRESET))
  assert.ok(fs.readFileSync(path.join(stateDir, 'requests.jsonl'), 'utf8').length > 0)
})

test('the login page sets a MUSIC_U cookie that the API accepts', async () => {
  const page = await fetch(`${base}/__login`)
  assert.match(await page.text(), /name="password"/)
  const res = await fetch(`${base}/__login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'account=someone&password=secret',
  })
  assert.equal(res.status, 200)
  const c = client()
  c.keepCookies(res.headers.getSetCookie())
  assert.ok(c.credentials.MUSIC_U)
  assert.equal((await c.weapi('/api/w/nuser/account/get')).body.profile.nickname, 'Emulated Listener')
})
