#!/usr/bin/env node
// A NetEase Cloud Music protocol emulator for tests: an HTTP server on 127.0.0.1 that speaks
// the real wire protocol (weapi, eapi, linuxapi, xeapi and plain api), decrypting requests and
// encrypting replies with the npm package @neteasecloudmusicapienhanced/api's crypto, an
// implementation independent of Lyrebird's. See docs/netease.md ("The emulator").
//
//   node tests/netease-emulator/server.mjs --port 0 --state DIR [--scenario FILE]
//
// prints one line, {"port":N,...}, when it listens. Point Lyrebird at it with
// LYREBIRD_NETEASE_API=http://127.0.0.1:N.

import http from 'node:http'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import crypto from 'node:crypto'
import zlib from 'node:zlib'
import { pathToFileURL } from 'node:url'

import {
  WireError,
  WeapiKeyPair,
  WeapiSecrets,
  XeapiServer,
  encryptReply,
  openEapi,
  openLinuxapi,
  openWeapi,
} from './wire.mjs'
import {
  Catalogue,
  DEFAULT_SCENARIO,
  albumEntry,
  artistEntry,
  LEVELS,
  LEVEL_ORDER,
  creator,
  lyricsReply,
  mergeScenario,
  playableLevel,
  playlistSummary,
  privilege,
  songV1,
  songV3,
} from './catalogue.mjs'
import { CONTENT_TYPES, audioFile, servedType } from './audio.mjs'

const MAX_BODY = 4 << 20
const SECRET_KEYS = /^(MUSIC_U|MUSIC_A|MUSIC_R_T|__csrf|csrf_token|x-music-u|x-antiCheatToken|checkToken|sk|password|captcha|phone|cellphone|username)$/i
const truthy = (v) => v === true || v === 'true' || v === 1 || v === '1'

/** Replaces token values (cookies, csrf, login tokens) by "<redacted>", recursively. */
export function redact(value) {
  if (Array.isArray(value)) return value.map(redact)
  if (value && typeof value === 'object') {
    const out = {}
    for (const [k, v] of Object.entries(value)) {
      out[k] = SECRET_KEYS.test(k) && v !== '' && v != null ? '<redacted>' : redact(v)
    }
    return out
  }
  return value
}

function parseCookies(header) {
  const out = {}
  for (const part of String(header || '').split(';')) {
    const eq = part.indexOf('=')
    if (eq < 0) continue
    const k = part.slice(0, eq).trim()
    const raw = part.slice(eq + 1).trim()
    try {
      out[decodeURIComponent(k)] = decodeURIComponent(raw)
    } catch {
      out[k] = raw
    }
  }
  return out
}

const randomHex = (n) => crypto.randomBytes(n).toString('hex')

const RISK = {
  '-462': { message: '绑定手机号短信验证成功后才可进行下一步操作哦~' },
  8821: { message: '需要行为验证码验证' },
  '-460': { msg: 'Cheating', message: 'Cheating' },
  8830: { message: '当前账号存在风险，请验证后重试' },
  8810: { message: '登录状态已失效，请重新登录' },
  301: { msg: '需要登录', message: '需要登录' },
}

export class Emulator {
  constructor({ scenario = {}, stateDir }) {
    this.scenario = mergeScenario(DEFAULT_SCENARIO, scenario)
    this.stateDir = stateDir
    this.base = ''
    this.xeapi = new XeapiServer()
    this.weapiSecrets = new WeapiSecrets()
    // A key pair of its own opens every weapi request made with its public key.
    this.weapiKeyPair = this.scenario.weapi.rsa ? new WeapiKeyPair(this.scenario.weapi.rsa) : null
    this.reset()
  }

  /** Back to the scenario's state (faults, log, logins, likes, QR keys). */
  reset() {
    const sc = this.scenario
    this.catalogue = new Catalogue(sc)
    this.user = { ...sc.user }
    this.tokens = new Map(sc.user.musicU ? [[sc.user.musicU, sc.user.userId]] : [])
    this.anonymous = new Map()
    this.qr = new Map()
    this.faults = []
    this.faultSeq = 0
    for (const f of sc.faults || []) this.addFault(f)
    this.log = []
    this.logSeq = 0
    this.liked = [...sc.liked]
    this.trashed = []
    this.scrobbles = []
    this.recent = [...(sc.recent || [])].map(Number)
    this.sms = []
    this.wrongPasswords = 0
    this.createdPlaylists = 0
    this.verified = []
    this.fmCursor = 0
    this.audioTokens = new Map()
    for (const s of sc.weapi.secrets || []) this.weapiSecrets.add(s)
  }

  addFault(f) {
    const fault = { id: ++this.faultSeq, ...f }
    if (fault.code === undefined && fault.http === undefined && !fault.reset && !fault.delayMs) {
      throw new Error('a fault needs code, http, reset or delayMs')
    }
    this.faults.push(fault)
    return fault
  }

  takeFault(api, scheme) {
    const i = this.faults.findIndex(
      (f) => (f.path === api || f.path === '*') && (!f.scheme || f.scheme === scheme),
    )
    if (i < 0) return null
    const f = this.faults[i]
    if (f.times !== undefined && --f.times <= 0) this.faults.splice(i, 1)
    return f
  }

  likedPlaylist() {
    return {
      id: 3_000_000 + this.user.userId,
      name: `${this.user.nickname}喜欢的音乐`,
      specialType: 5,
      trackIds: this.liked,
    }
  }

  playlist(id) {
    id = Number(id)
    if (id === this.likedPlaylist().id) return this.likedPlaylist()
    return this.catalogue.playlists.get(id) || this.catalogue.charts.get(id)
  }

  /** Who is asking: `{ state: 'none' | 'valid' | 'invalid', user }`. */
  who(cookies, headers, params) {
    const token =
      cookies.MUSIC_U || headers['x-music-u'] || (params && params.header && params.header.MUSIC_U)
    if (!token) return { state: 'none', user: null }
    const uid = this.tokens.get(token)
    return uid === this.user.userId ? { state: 'valid', user: this.user } : { state: 'invalid', user: null }
  }

  loginCookies() {
    const token = `EMU_MUSIC_U_${randomHex(24)}`
    this.tokens.set(token, this.user.userId)
    const expires = new Date(Date.now() + 15552000 * 1000).toUTCString()
    return [
      `MUSIC_U=${token}; Max-Age=15552000; Expires=${expires}; Path=/; HTTPOnly`,
      `__csrf=${randomHex(16)}; Max-Age=1296010; Expires=${expires}; Path=/;`,
      `MUSIC_R_T=${randomHex(20)}; Max-Age=2147483647; Path=/api/feedback; HTTPOnly`,
    ]
  }

  riskBody(code, fault) {
    const body = { code, ...(RISK[code] || { message: 'emulated fault' }) }
    if (code === -462) {
      body.data = {
        verifyType: 10,
        verifyId: fault ? fault.id : 0,
        verifyUrl: `${this.base}/__verify?id=${fault ? fault.id : 0}`,
        blockText: '当前网络环境存在安全风险，请验证后继续',
        actionCode: null,
        extInfo: {},
      }
    }
    return { ...body, ...(fault && fault.body) }
  }

  needLogin(ctx) {
    if (ctx.who.state === 'valid') return null
    const s = this.scenario.session
    return this.riskBody(ctx.who.state === 'none' ? s.noLoginCode : s.badTokenCode)
  }

  // ---- song URLs and audio --------------------------------------------------------------

  issueAudio(song, level, trial) {
    const a = this.scenario.audio
    const ext = servedType(LEVELS[level].type)
    const seconds = trial ? a.trialSeconds : song.durationMs / 1000
    const name = `${song.id}-${level}${trial ? '-trial' : ''}.${ext}`
    const file = audioFile(path.join(this.stateDir, 'audio'), name, {
      hz: song.toneHz,
      seconds,
      ext,
      sampleRate: a.sampleRate,
      bitrate: LEVELS[level].br,
    })
    const bytes = fs.readFileSync(file)
    const token = randomHex(12)
    this.audioTokens.set(token, { file, ext, expiresAt: Date.now() + a.urlTtlSeconds * 1000 })
    return {
      url: `${this.base}/__audio/${name}?t=${token}`,
      size: bytes.length,
      md5: crypto.createHash('md5').update(bytes).digest('hex'),
      ext,
      seconds,
    }
  }

  songUrlEntry(id, askedLevel, user) {
    const song = this.catalogue.song(id)
    const asked = LEVEL_ORDER.includes(askedLevel) ? askedLevel : askedLevel ? 'hires' : 'standard'
    const entry = {
      id: Number(id),
      url: null,
      br: 0,
      size: 0,
      md5: null,
      code: 404,
      expi: this.scenario.audio.urlTtlSeconds,
      type: null,
      gain: 0,
      peak: 0,
      closedGain: 0,
      closedPeak: 0,
      fee: song ? song.fee : 0,
      uf: null,
      payed: user && user.vipType > 0 && song && song.fee === 1 ? 1 : 0,
      flag: 0,
      canExtend: false,
      freeTrialInfo: null,
      level: null,
      encodeType: null,
      channelLayout: null,
      freeTrialPrivilege: { resConsumable: false, userConsumable: false, listenType: null, cannotListenReason: null, playReason: null, freeLimitTagType: null },
      freeTimeTrialPrivilege: { resConsumable: false, userConsumable: false, type: 0, remainTime: 0 },
      urlSource: 0,
      rightSource: 0,
      podcastCtrp: null,
      effectTypes: null,
      time: 0,
      message: null,
      levelConfuse: null,
      musicId: String(id),
    }
    if (!song || song.greyed) return entry
    const playable = playableLevel(song, user)
    let level
    let trial = false
    if (playable) {
      level = LEVEL_ORDER[Math.min(LEVEL_ORDER.indexOf(asked), LEVEL_ORDER.indexOf(playable))]
    } else if (song.trial) {
      trial = true
      level = 'standard'
    } else {
      entry.code = -110
      return entry
    }
    const audio = this.issueAudio(song, level, trial)
    Object.assign(entry, {
      url: audio.url,
      br: LEVELS[level].br,
      size: audio.size,
      md5: audio.md5,
      code: 200,
      type: audio.ext,
      level,
      encodeType: audio.ext,
      peak: 1,
      time: Math.round(audio.seconds * 1000),
    })
    if (trial) {
      entry.freeTrialInfo = { fragmentType: 0, start: 0, end: this.scenario.audio.trialSeconds, algData: null }
      entry.freeTrialPrivilege.listenType = 0
    }
    return entry
  }

  // ---- endpoints -----------------------------------------------------------------------

  /** Endpoints with the id in the path (albums, artists), or null. */
  routeById(api, p, user) {
    const sc = this.scenario
    const ok = (json) => ({ json: { ...json, code: json.code ?? 200 } })
    const withPrivilege = (s) => ({ ...songV3(s), privilege: privilege(s, user) })
    let m
    if ((m = api.match(/^\/api\/v1\/album\/(\d+)$/))) {
      const album = this.catalogue.album(m[1])
      if (!album) return { json: { code: 404, message: '专辑不存在' } }
      return ok({ resourceState: true, songs: album.songs.map(withPrivilege), album: albumEntry(sc, album) })
    }
    if ((m = api.match(/^\/api\/v1\/artist\/(\d+)$/))) {
      const artist = this.catalogue.artist(m[1])
      if (!artist) return { json: { code: 404, message: '歌手不存在' } }
      return ok({
        artist: artistEntry(sc, artist.id, artist.name, artist.songs.length, artist.albums.length),
        hotSongs: artist.songs.slice(0, 50).map(withPrivilege),
        more: artist.songs.length > 50,
      })
    }
    if ((m = api.match(/^\/api\/artist\/albums\/(\d+)$/))) {
      const artist = this.catalogue.artist(m[1])
      if (!artist) return { json: { code: 404, message: '歌手不存在' } }
      const offset = Number(p.offset || 0)
      const limit = Number(p.limit || 30)
      return ok({
        artist: artistEntry(sc, artist.id, artist.name, artist.songs.length, artist.albums.length),
        hotAlbums: artist.albums.slice(offset, offset + limit).map((a) => albumEntry(sc, a)),
        more: offset + limit < artist.albums.length,
      })
    }
    return null
  }

  /** The reply to an API call: `{ json, cookies?, status? }`. */
  async route(api, ctx) {
    const p = ctx.params
    const user = ctx.who.user
    const sc = this.scenario
    const ok = (json) => ({ json: { ...json, code: json.code ?? 200 } })
    switch (api) {
      case '/api/gorilla/anti/crawler/security/key/get':
        return { json: this.xeapi.keyReply(p) }

      case '/api/login/qrcode/unikey': {
        const unikey = crypto.randomUUID()
        this.qr.set(unikey, { state: 'waiting', createdAt: Date.now() })
        return ok({ unikey })
      }
      case '/api/login/qrcode/client/login': {
        const q = this.qr.get(String(p.key))
        if (!q || q.state === 'expired' || q.state === 'used' || Date.now() - q.createdAt > sc.qr.ttlMs) {
          return { json: { code: 800, message: '二维码不存在或已过期' } }
        }
        if (q.state === 'waiting') return { json: { code: 801, message: '等待扫码' } }
        if (q.state === 'scanned') {
          return { json: { code: 802, message: '授权中', nickname: this.user.nickname, avatarUrl: creator(this.user).avatarUrl } }
        }
        q.state = 'used'
        return { json: { code: 803, message: '授权登陆成功' }, cookies: this.loginCookies() }
      }
      case '/api/sms/captcha/sent': {
        const now = Date.now()
        const last = this.sms.findLast((x) => x.ctcode === String(p.ctcode) && x.cellphone === String(p.cellphone))
        if (last && now - last.sentAt < sc.login.smsIntervalMs) return { json: { code: 405, message: '发送验证码间隔过短' } }
        if (!/^\d{5,20}$/.test(String(p.cellphone || ''))) return { json: { code: 400, message: '手机号格式错误' } }
        // A code is "sent" to any number, as NetEase does; only the user's logs in with it.
        const code = String(crypto.randomInt(1000, 10000))
        this.sms.push({ ctcode: String(p.ctcode || '86'), cellphone: String(p.cellphone), code, sentAt: now })
        return ok({ data: true })
      }
      case '/api/w/login/cellphone':
      case '/api/w/login': {
        const u = this.user
        const byPhone = api === '/api/w/login/cellphone'
        const known = byPhone
          ? String(p.phone) === u.phone && String(p.countrycode || '86') === u.countrycode
          : String(p.username).toLowerCase() === String(u.email).toLowerCase()
        if (byPhone && p.captcha !== undefined && p.captcha !== '') {
          const sent = this.sms.findLast((x) => x.cellphone === String(p.phone) && x.ctcode === String(p.countrycode || '86'))
          if (!sent || sent.code !== String(p.captcha) || Date.now() - sent.sentAt > sc.login.smsTtlMs || sent.used) {
            return { json: { code: 503, message: '验证码错误' } }
          }
          sent.used = true
          if (!known) return { json: { code: 501, message: '账号不存在' } }
        } else {
          if (!known) return { json: { code: 501, message: '账号不存在' } }
          if (this.wrongPasswords >= sc.login.maxWrongPasswords) {
            return { json: { code: 509, message: '密码错误超过限制' } }
          }
          const md5 = crypto.createHash('md5').update(String(u.password)).digest('hex')
          if (String(p.password) !== md5) {
            this.wrongPasswords++
            return { json: { code: 502, message: '密码错误', msg: '密码错误' } }
          }
        }
        this.wrongPasswords = 0
        return {
          json: {
            code: 200,
            loginType: byPhone ? 1 : 0,
            account: { id: u.userId, userName: `1_${u.userId}`, type: 1, vipType: u.vipType },
            token: randomHex(32),
            profile: creator(u),
            bindings: [],
          },
          cookies: this.loginCookies(),
        }
      }
      case '/api/playlist/create': {
        const denied = this.needLogin(ctx)
        if (denied) return { json: denied }
        const name = String(p.name ?? '').trim()
        if (name === '' || [...name].length > 40) return { json: { code: 400, message: '歌单名不能为空或超过40个字' } }
        const id = 3_200_000 + this.createdPlaylists++
        const pl = { id, name, trackIds: [], privacy: Number(p.privacy || 0), created: true }
        this.catalogue.playlists.set(id, pl)
        return ok({ id, playlist: playlistSummary(pl, this.user) })
      }
      case '/api/playlist/manipulate/tracks': {
        const denied = this.needLogin(ctx)
        if (denied) return { json: denied }
        const pl = this.catalogue.playlists.get(Number(p.pid))
        if (!pl) return { json: { code: 404, message: '歌单不存在' } }
        let ids
        try {
          ids = JSON.parse(String(p.trackIds)).map(Number)
        } catch {
          return { json: { code: 400, message: 'trackIds is not a JSON list' } }
        }
        if (p.op === 'add') {
          if (ids.some((id) => !this.catalogue.song(id))) return { json: { code: 404, message: '歌曲不存在' } }
          if (ids.some((id) => pl.trackIds.includes(id))) return { json: { code: 502, message: '歌单内歌曲重复' } }
          pl.trackIds = [...ids, ...pl.trackIds]
        } else if (p.op === 'del') {
          pl.trackIds = pl.trackIds.filter((id) => !ids.includes(id))
        } else {
          return { json: { code: 400, message: `unknown op ${p.op}` } }
        }
        return ok({ trackIds: JSON.stringify(ids), count: pl.trackIds.length, cloudCount: 0 })
      }
      case '/api/play-record/song/list': {
        const denied = this.needLogin(ctx)
        if (denied) return { json: denied }
        const limit = Number(p.limit || 100)
        const songs = this.recent.map((id) => this.catalogue.song(id)).filter(Boolean).slice(0, limit)
        return ok({
          data: {
            total: songs.length,
            list: songs.map((s, i) => ({
              resourceId: String(s.id),
              playTime: Date.now() - i * 60000,
              resourceType: 'SONG',
              banned: false,
              data: { ...songV3(s), privilege: privilege(s, user) },
            })),
          },
          message: '',
        })
      }
      case '/api/toplist':
        return ok({
          list: [...this.catalogue.charts.values()].map((c) => ({
            ...playlistSummary(c, { userId: 1, nickname: '网易云音乐' }),
            updateFrequency: c.updateFrequency,
            ToplistType: 'S',
          })),
          artistToplist: null,
        })
      case '/api/playmode/intelligence/list': {
        const denied = this.needLogin(ctx)
        if (denied) return { json: denied }
        const start = this.catalogue.song(p.songId)
        if (!start) return { json: { code: 404, message: '歌曲不存在' } }
        if (Number(p.playlistId) !== this.likedPlaylist().id) return { json: { code: 400, message: 'playlistId 不是喜欢的音乐' } }
        // The start song, then songs it "suggests": the catalogue's, not liked, in id order.
        const picks = [...this.catalogue.songs.values()].filter((s) => s.id !== start.id && !this.liked.includes(s.id))
        return ok({
          data: [start, ...picks].map((s, i) => ({
            id: s.id,
            alg: i === 0 ? 'startsong' : 'emulator_heartbeat',
            recommended: i !== 0,
            songInfo: songV3(s),
            privilege: privilege(s, user),
          })),
        })
      }
      case '/api/search/suggest/web': {
        const found = this.catalogue.search(p.s)
        const albums = [...new Map(found.map((s) => [s.albumId, s])).values()]
        const artists = [...new Map(found.map((s) => [s.artistId, s])).values()]
        const k = String(p.s || '').toLowerCase()
        const lists = [...this.catalogue.playlists.values()].filter((pl) => k && pl.name.toLowerCase().includes(k))
        if (found.length === 0 && lists.length === 0) return ok({ result: {} })
        return ok({
          result: {
            songs: found.slice(0, 10).map((s) => ({ id: s.id, name: s.name, artists: [{ id: s.artistId, name: s.artist, img1v1Url: null }], album: { id: s.albumId, name: s.album }, duration: s.durationMs, fee: s.fee })),
            artists: artists.slice(0, 10).map((s) => ({ id: s.artistId, name: s.artist, picUrl: null, img1v1Url: null })),
            albums: albums.slice(0, 10).map((s) => ({ id: s.albumId, name: s.album, artist: { id: s.artistId, name: s.artist }, publishTime: 0, size: 1 })),
            playlists: lists.slice(0, 10).map((pl) => ({ id: pl.id, name: pl.name, coverImgUrl: null, trackCount: pl.trackIds.length })),
            order: ['songs', 'artists', 'albums', 'playlists'],
          },
        })
      }
      case '/api/w/nuser/account/get':
        if (!user) return ok({ account: null, profile: null })
        return ok({
          account: { id: user.userId, userName: `1_${user.userId}`, type: 1, status: 0, whitelistAuthority: 0, createTime: 1600000000000, tokenVersion: 0, ban: 0, baoyueVersion: 0, donateVersion: 0, vipType: user.vipType, anonimousUser: false, paidFee: user.vipType > 0 },
          profile: creator(user),
        })
      case '/api/register/anonimous': {
        if (!p.username) return ok({ code: 400, message: 'username missing' })
        const uid = 8_000_000_000 + this.anonymous.size
        const token = `EMU_MUSIC_A_${randomHex(24)}`
        this.anonymous.set(token, uid)
        return { json: { code: 200, userId: uid, createTime: Date.now() }, cookies: [`MUSIC_A=${token}; Max-Age=2147483647; Path=/;`] }
      }
      case '/api/v3/discovery/recommend/songs': {
        const denied = this.needLogin(ctx)
        if (denied) return { json: denied }
        const songs = sc.daily.map((id) => this.catalogue.song(id)).filter(Boolean)
        return ok({
          data: {
            dailySongs: songs.map((s) => ({ ...songV3(s), reason: '根据你的口味推荐', recommendReason: '根据你的口味推荐', alg: 'emulator_daily', privilege: privilege(s, user) })),
            orderSongs: [],
            recommendReasons: songs.map((s) => ({ songId: s.id, reason: '根据你的口味推荐', reasonId: 'emu', targetUrl: null })),
            mvResourceInfos: null,
            demote: false,
            fromCache: false,
          },
        })
      }
      case '/api/v1/radio/get': {
        const denied = this.needLogin(ctx)
        if (denied) return { json: denied }
        const fm = sc.fm.filter((id) => !this.trashed.includes(Number(id)))
        const out = []
        for (let i = 0; i < Math.min(3, fm.length); i++) {
          out.push(songV1(this.catalogue.song(fm[(this.fmCursor + i) % fm.length]), user))
        }
        this.fmCursor += out.length
        return ok({ popAdjust: false, data: out })
      }
      case '/api/radio/trash/add': {
        const denied = this.needLogin(ctx)
        if (denied) return { json: denied }
        this.trashed.push(Number(p.songId))
        return ok({ count: this.trashed.length })
      }
      case '/api/user/playlist': {
        const uid = Number(p.uid)
        if (uid !== this.user.userId) return ok({ version: '0', more: false, playlist: [] })
        const all = [this.likedPlaylist(), ...this.catalogue.playlists.values()]
        const offset = Number(p.offset || 0)
        const limit = Number(p.limit || 30)
        return ok({
          version: String(Date.now()),
          more: offset + limit < all.length,
          playlist: all.slice(offset, offset + limit).map((pl) => playlistSummary(pl, this.user)),
        })
      }
      case '/api/album/sublist':
      case '/api/artist/sublist': {
        const denied = this.needLogin(ctx)
        if (denied) return { json: denied }
        const albums = api === '/api/album/sublist'
        const names = (albums ? sc.savedAlbums : sc.followedArtists) || []
        const all = names
          .map((n) => (albums ? this.catalogue.albumNamed(n) : this.catalogue.artistNamed(n)))
          .filter(Boolean)
        const offset = Number(p.offset || 0)
        const limit = Number(p.limit || 25)
        const data = all.slice(offset, offset + limit).map((x, i) =>
          albums
            ? { ...albumEntry(sc, x), subTime: 1704067200000 - i, msg: [], transNames: [] }
            : { ...artistEntry(sc, x.id, x.name, x.songs.length, x.albums.length), info: '', followed: true },
        )
        return ok({ data, count: all.length, hasMore: offset + limit < all.length, paidCount: 0 })
      }
      case '/api/v6/playlist/detail': {
        const pl = this.playlist(p.id)
        if (!pl) return { json: { code: 404, message: '该歌单已被删除' } }
        const n = Math.min(Number(p.n ?? 1000), sc.playlistTracksCap)
        const tracks = pl.trackIds.slice(0, n).map((id) => this.catalogue.song(id)).filter(Boolean)
        return ok({
          relatedVideos: null,
          playlist: {
            ...playlistSummary(pl, this.user),
            tracks: tracks.map(songV3),
            trackIds: pl.trackIds.map((id, i) => ({ id, v: 12, t: 0, at: 1700000000000 + i, alg: null, uid: this.user.userId, rcmdReason: '', rcmdReasonTitle: '', sc: null, f: null, sr: null, dpr: null })),
            shareCount: 0,
            commentCount: 0,
          },
          urls: null,
          privileges: tracks.map((s) => privilege(s, user)),
          sharedPrivilege: null,
          resEntrance: null,
          fromUsers: null,
          fromUserCount: 0,
          songFromUsers: null,
        })
      }
      case '/api/v3/song/detail': {
        let ids = []
        try {
          const c = typeof p.c === 'string' ? JSON.parse(p.c) : p.c || []
          ids = c.map((x) => Number(x.id))
        } catch {
          return { json: { code: 400, message: 'c is not a JSON list' } }
        }
        if (ids.length > sc.songDetailMax) {
          return { json: { code: 400, message: `at most ${sc.songDetailMax} ids per request` } }
        }
        const songs = ids.map((id) => this.catalogue.song(id)).filter(Boolean)
        return ok({ songs: songs.map(songV3), privileges: songs.map((s) => privilege(s, user)) })
      }
      case '/api/song/like/get': {
        const denied = this.needLogin(ctx)
        if (denied) return { json: denied }
        return ok({ ids: [...this.liked], checkPoint: Date.now() })
      }
      case '/api/radio/like':
      case '/api/v1/radio/like': {
        const denied = this.needLogin(ctx)
        if (denied) return { json: denied }
        const id = Number(p.trackId)
        if (!this.catalogue.song(id)) return { json: { code: 404, message: '歌曲不存在' } }
        const like = !(p.like === false || p.like === 'false')
        this.liked = this.liked.filter((x) => x !== id)
        if (like) this.liked.unshift(id)
        return ok({ playlistId: this.likedPlaylist().id })
      }
      case '/api/song/enhance/player/url/v1': {
        let ids
        try {
          ids = JSON.parse(String(p.ids))
        } catch {
          return { json: { code: 400, message: 'ids is not a JSON list' } }
        }
        return ok({ data: [].concat(ids).map((id) => this.songUrlEntry(id, p.level, user)) })
      }
      case '/api/song/lyric/v1': {
        const song = this.catalogue.song(p.id)
        if (!song) return ok({ sgc: false, sfy: false, qfy: false, uncollected: true, needDesc: true })
        return { json: lyricsReply(song) }
      }
      case '/api/cloudsearch/pc': {
        const type = Number(p.type || 1)
        const offset = Number(p.offset || 0)
        const limit = Number(p.limit || 30)
        const found = this.catalogue.search(p.s)
        const page = (list) => list.slice(offset, offset + limit)
        if (type === 10) {
          const albums = [...new Set(found.map((s) => s.albumId))].map((id) => this.catalogue.album(id))
          return ok({ result: { albums: page(albums).map((a) => albumEntry(sc, a)), albumCount: albums.length } })
        }
        if (type === 100) {
          const artists = [...new Set(found.map((s) => s.artistId))].map((id) => this.catalogue.artist(id))
          return ok({
            result: {
              artists: page(artists).map((a) => artistEntry(sc, a.id, a.name, a.songs.length, a.albums.length)),
              artistCount: artists.length,
            },
          })
        }
        if (type === 1000) {
          const k = String(p.s || '').toLowerCase()
          const lists = [...this.catalogue.playlists.values()].filter((pl) => k && pl.name.toLowerCase().includes(k))
          return ok({ result: { playlists: page(lists).map((pl) => playlistSummary(pl, this.user)), playlistCount: lists.length } })
        }
        if (type !== 1) return ok({ result: { searchQcReminder: null } })
        return ok({
          result: {
            searchQcReminder: null,
            songs: found.slice(offset, offset + limit).map((s) => ({ ...songV3(s), privilege: privilege(s, user) })),
            songCount: found.length,
          },
        })
      }
      case '/api/v1/cloud/get': {
        const denied = this.needLogin(ctx)
        if (denied) return { json: denied }
        const offset = Number(p.offset || 0)
        const limit = Number(p.limit || 30)
        const songs = sc.cloud.map((id) => this.catalogue.song(id)).filter(Boolean)
        return ok({
          data: songs.slice(offset, offset + limit).map((s) => ({
            simpleSong: { ...songV3(s), privilege: privilege(s, user) },
            songId: s.id,
            addTime: 1700000000000,
            fileSize: Math.round(s.durationMs * 40),
            bitrate: 320,
            fileName: `${s.artist} - ${s.name}.mp3`,
            songName: s.name,
            album: s.album,
            artist: s.artist,
            cover: 0,
            coverId: '',
            lyricId: '',
            version: 1,
          })),
          count: songs.length,
          size: String(songs.length * 200000),
          maxSize: '64424509440',
          upgradeSign: 0,
          hasMore: offset + limit < songs.length,
        })
      }
      case '/api/feedback/weblog': {
        let logs = p.logs
        try {
          if (typeof logs === 'string') logs = JSON.parse(logs)
        } catch {
          return { json: { code: 400, message: 'logs is not JSON' } }
        }
        this.scrobbles.push(...[].concat(logs || []))
        for (const log of [].concat(logs || [])) {
          const id = Number(log?.json?.id)
          if (log?.action === 'startplay' && this.catalogue.song(id)) {
            this.recent = [id, ...this.recent.filter((x) => x !== id)]
          }
        }
        return ok({ data: 'success', message: '' })
      }
      default:
        return this.routeById(api, p, user) || { status: 404, json: { code: 404, message: `the emulator has no ${api}` } }
    }
  }

  /** A small PNG in a colour of its own for each picture path; `param=WxH` sizes it (≤ 64). */
  picture(res, p, url) {
    this.pictures = (this.pictures || 0) + 1
    const [w, h] = String(url.searchParams.get('param') || '8y8').split('y').map((n) => Math.max(1, Math.min(64, Number(n) || 8)))
    const hue = crypto.createHash('md5').update(p).digest()
    const body = png(w, h, [hue[0], hue[1], hue[2]])
    res.writeHead(200, { 'content-type': 'image/png', 'content-length': body.length })
    res.end(body)
  }

  // ---- HTTP ----------------------------------------------------------------------------

  async handle(req, res) {
    const url = new URL(req.url, 'http://127.0.0.1')
    const p = url.pathname
    try {
      if (p.startsWith('/__control/')) return await this.control(req, res, url)
      if (p.startsWith('/__audio/')) return this.audio(req, res, url)
      // Cover pictures, at the paths the catalogue's picUrls name on p1.music.126.net.
      if (p.startsWith('/emulator/') && req.method === 'GET') return this.picture(res, p, url)
      if (p === '/__login') return await this.loginPage(req, res)
      if (p === '/__verify') return await this.verifyPage(req, res, url)
      if (req.method !== 'POST') return send(res, 405, { code: 405, message: 'NetEase APIs take POST' })
      return await this.api(req, res, p)
    } catch (e) {
      if (!res.headersSent) send(res, 500, { code: 500, message: String(e && e.stack ? e.stack : e) })
    }
  }

  async api(req, res, httpPath) {
    const raw = await readBody(req)
    const form = Object.fromEntries(new URLSearchParams(raw.toString()))
    const headers = req.headers
    const cookies = parseCookies(headers.cookie)
    const entry = {
      seq: ++this.logSeq,
      at: Date.now(),
      path: httpPath,
      scheme: null,
      api: null,
      encryptedReply: false,
      gzip: headers['x-aeapi'] === 'true',
      decrypted: true,
      headers: redact(
        Object.fromEntries(
          Object.entries(headers).filter(([k]) => k === 'user-agent' || k === 'referer' || k === 'content-type' || k.startsWith('x-')),
        ),
      ),
      cookies: redact(cookies),
      params: null,
    }
    this.log.push(entry)
    const finish = (status, json, extra = {}) => {
      entry.status = status
      entry.code = json && json.code
      Object.assign(entry, extra)
      this.persist(entry)
    }

    let scheme
    let api
    let params
    let encrypted = false
    const replyHeaders = {}
    try {
      let m
      if ((m = httpPath.match(/^\/weapi\/(.+)$/))) {
        scheme = 'weapi'
        api = `/api/${m[1]}`
        const opened = openWeapi(
          form,
          this.weapiSecrets,
          this.scenario.weapi.unknownSecret,
          this.weapiKeyPair,
        )
        params = opened.params
        entry.decrypted = opened.decrypted
        encrypted = truthy(params.e_r)
      } else if ((m = httpPath.match(/^\/eapi\/(.+)$/))) {
        scheme = 'eapi'
        api = `/api/${m[1]}`
        const opened = openEapi(form.params)
        if (opened.url !== api) throw new WireError('eapi', `params are for ${opened.url}, sent to ${httpPath}`)
        params = opened.params
        encrypted = truthy(params.e_r)
      } else if (httpPath === '/api/linux/forward') {
        scheme = 'linuxapi'
        const opened = openLinuxapi(form.eparams)
        api = opened.apiPath
        params = opened.params
      } else if ((m = httpPath.match(/^\/xeapi\/(.+)$/))) {
        scheme = 'xeapi'
        api = `/api/${m[1]}`
        if (headers['x-client-enc-state'] !== 'ENCRYPTED') {
          throw new WireError('xeapi', 'X-Client-Enc-State: ENCRYPTED is missing')
        }
        const opened = this.xeapi.open(form)
        params = opened.params
        encrypted = true
        entry.xeapi = { os: opened.os, keyVersion: opened.version, session: Boolean(opened.sessionId), query: opened.query }
        if (!opened.sessionId && this.scenario.xeapi.sessions) {
          const s = this.xeapi.newSession()
          replyHeaders['x-encr-ssid'] = s.id
          replyHeaders['x-encr-sskey'] = s.key
        }
      } else if (httpPath.startsWith('/api/')) {
        scheme = 'api'
        api = httpPath
        params = form
      } else {
        finish(404, { code: 404 })
        return send(res, 404, { code: 404, message: `no such path ${httpPath}` })
      }
    } catch (e) {
      if (!(e instanceof WireError)) throw e
      entry.scheme = scheme
      entry.api = api
      const json = { code: 400, message: e.message, emulator: 'request did not decrypt' }
      finish(400, json, { error: e.message })
      return send(res, 400, json)
    }
    entry.scheme = scheme
    entry.api = api
    entry.encryptedReply = encrypted
    entry.params = redact(params)
    const ctx = { params, cookies, headers, scheme, who: this.who(cookies, headers, params) }
    entry.login = ctx.who.state

    const fault = this.takeFault(api, scheme)
    let result
    if (fault) {
      entry.fault = fault.id
      if (fault.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs))
      if (fault.reset) {
        finish(0, null, { reset: true })
        return req.socket.resetAndDestroy ? req.socket.resetAndDestroy() : req.socket.destroy()
      }
      if (fault.http !== undefined) {
        finish(fault.http, null)
        res.writeHead(fault.http, { 'content-type': 'text/html' })
        return res.end(`<html><body><h1>${fault.http} emulated failure</h1></body></html>`)
      }
      if (fault.code !== undefined) result = { json: this.riskBody(fault.code, fault) }
    }
    if (!result) {
      try {
        result = await this.route(api, ctx)
      } catch (e) {
        if (!(e instanceof WireError)) throw e
        const json = { code: 400, message: e.message }
        finish(400, json, { error: e.message })
        return send(res, 400, json)
      }
    }
    const status = result.status || 200
    finish(status, result.json)
    const out = { ...replyHeaders }
    if (result.cookies) out['set-cookie'] = result.cookies
    if (encrypted) {
      res.writeHead(status, { ...out, 'content-type': 'application/octet-stream' })
      return res.end(encryptReply(result.json, headers['x-aeapi'] === 'true'))
    }
    return send(res, status, result.json, out)
  }

  persist(entry) {
    try {
      fs.appendFileSync(path.join(this.stateDir, 'requests.jsonl'), `${JSON.stringify(entry)}\n`)
    } catch {
      // The log in memory is what tests read; the file is for people.
    }
  }

  audio(req, res, url) {
    const t = url.searchParams.get('t')
    const grant = t && this.audioTokens.get(t)
    if (!grant || Date.now() > grant.expiresAt || path.basename(grant.file) !== path.basename(url.pathname)) {
      res.writeHead(403, { 'content-type': 'text/plain' })
      return res.end('403 Forbidden: the URL expired or was never issued')
    }
    const data = fs.readFileSync(grant.file)
    const type = CONTENT_TYPES[grant.ext]
    const range = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range || '')
    if (range && (range[1] || range[2])) {
      let start = range[1] ? Number(range[1]) : data.length - Number(range[2])
      let end = range[1] && range[2] ? Number(range[2]) : data.length - 1
      start = Math.max(0, start)
      end = Math.min(end, data.length - 1)
      if (start > end) {
        res.writeHead(416, { 'content-range': `bytes */${data.length}` })
        return res.end()
      }
      res.writeHead(206, { 'content-type': type, 'accept-ranges': 'bytes', 'content-range': `bytes ${start}-${end}/${data.length}`, 'content-length': end - start + 1 })
      return res.end(req.method === 'HEAD' ? undefined : data.subarray(start, end + 1))
    }
    res.writeHead(200, { 'content-type': type, 'accept-ranges': 'bytes', 'content-length': data.length })
    return res.end(req.method === 'HEAD' ? undefined : data)
  }

  async loginPage(req, res) {
    if (req.method === 'POST') {
      const form = Object.fromEntries(new URLSearchParams((await readBody(req)).toString()))
      if (!form.account || !form.password) {
        return html(res, 400, '<p id="error">Account and password are both needed.</p>' + loginForm())
      }
      return html(res, 200, `<p id="done">Logged in as ${escapeHtml(this.user.nickname)}.</p>`, { 'set-cookie': this.loginCookies() })
    }
    return html(res, 200, loginForm())
  }

  async verifyPage(req, res, url) {
    const id = Number(url.searchParams.get('id'))
    if (req.method === 'POST') {
      this.faults = this.faults.filter((f) => f.id !== id)
      this.verified.push(id)
      return html(res, 200, '<p id="done">Verified. You can close this window.</p>')
    }
    return html(
      res,
      200,
      `<h1>Security check</h1><form method="post" action="/__verify?id=${id}"><button id="verify" type="submit">I am not a robot</button></form>`,
    )
  }

  async control(req, res, url) {
    const parts = url.pathname.split('/').filter(Boolean).slice(1)
    const body = req.method === 'POST' ? await readJson(req) : {}
    const [what, a, b] = parts
    if (what === 'log' && req.method === 'GET') {
      const since = Number(url.searchParams.get('since') || 0)
      const api = url.searchParams.get('api')
      return send(res, 200, { entries: this.log.filter((e) => e.seq > since && (!api || e.api === api)) })
    }
    if (what === 'log' && req.method === 'DELETE') {
      this.log = []
      return send(res, 200, { ok: true })
    }
    if (what === 'qr' && a && (b === 'scan' || b === 'confirm' || b === 'expire') && req.method === 'POST') {
      const q = this.qr.get(a)
      if (!q) return send(res, 404, { error: `no QR key ${a}` })
      q.state = { scan: 'scanned', confirm: 'confirmed', expire: 'expired' }[b]
      return send(res, 200, { ok: true, state: q.state })
    }
    if (what === 'fault' && req.method === 'POST') {
      try {
        return send(res, 200, this.addFault(body))
      } catch (e) {
        return send(res, 400, { error: e.message })
      }
    }
    if (what === 'faults' && req.method === 'GET') return send(res, 200, { faults: this.faults })
    if (what === 'faults' && req.method === 'DELETE') {
      this.faults = []
      return send(res, 200, { ok: true })
    }
    if (what === 'weapi' && a === 'key' && req.method === 'GET') {
      return send(res, 200, { modulus: this.weapiKeyPair ? this.weapiKeyPair.modulusHex : null })
    }
    if (what === 'weapi' && a === 'secret' && req.method === 'POST') {
      try {
        this.weapiSecrets.add(String(body.secret))
      } catch (e) {
        return send(res, 400, { error: e.message })
      }
      return send(res, 200, { ok: true })
    }
    if (what === 'sms' && req.method === 'GET') {
      return send(res, 200, { sent: this.sms.map(({ ctcode, cellphone, code, sentAt }) => ({ ctcode, cellphone, code, sentAt })) })
    }
    if (what === 'session' && a === 'expire' && req.method === 'POST') {
      this.tokens.clear()
      return send(res, 200, { ok: true })
    }
    if (what === 'user' && req.method === 'POST') {
      Object.assign(this.user, body)
      return send(res, 200, { user: this.user })
    }
    if (what === 'audio' && a === 'expire' && req.method === 'POST') {
      for (const g of this.audioTokens.values()) g.expiresAt = 0
      return send(res, 200, { ok: true })
    }
    if (what === 'xeapi' && a === 'rotate' && req.method === 'POST') {
      this.xeapi.rotate()
      return send(res, 200, { version: this.xeapi.version })
    }
    if (what === 'state' && req.method === 'GET') {
      return send(res, 200, {
        user: this.user,
        liked: this.liked,
        trashed: this.trashed,
        scrobbles: this.scrobbles,
        verified: this.verified,
        qr: Object.fromEntries([...this.qr].map(([k, v]) => [k, v.state])),
        xeapiKeyVersion: this.xeapi.version,
        playlists: Object.fromEntries([...this.catalogue.playlists.values()].filter((pl) => !pl.generate).map((pl) => [pl.id, { name: pl.name, trackIds: pl.trackIds }])),
      })
    }
    if (what === 'reset' && req.method === 'POST') {
      this.reset()
      return send(res, 200, { ok: true })
    }
    return send(res, 404, { error: `no control endpoint ${req.method} ${url.pathname}` })
  }
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})

function crc32(bytes) {
  let c = 0xffffffff
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

/** A w×h PNG of one RGB colour. */
function png(w, h, [r, g, b]) {
  const chunk = (type, data) => {
    const len = Buffer.alloc(4)
    len.writeUInt32BE(data.length)
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data])
    const crc = Buffer.alloc(4)
    crc.writeUInt32BE(crc32(body))
    return Buffer.concat([len, body, crc])
  }
  const header = Buffer.alloc(13)
  header.writeUInt32BE(w, 0)
  header.writeUInt32BE(h, 4)
  header.set([8, 2, 0, 0, 0], 8)
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: w }, () => [r, g, b]).flat())])
  const raw = Buffer.concat(Array.from({ length: h }, () => row))
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', zlib.deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ])
}

function loginForm() {
  return `<h1>NetEase emulator login</h1>
<form method="post" action="/__login">
  <label>Account <input id="account" name="account" autocomplete="username"></label>
  <label>Password <input id="password" name="password" type="password" autocomplete="current-password"></label>
  <button id="submit" type="submit">Log in</button>
</form>`
}

const escapeHtml = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

function html(res, status, content, headers = {}) {
  res.writeHead(status, { ...headers, 'content-type': 'text/html; charset=utf-8' })
  res.end(`<!doctype html><html><head><meta charset="utf-8"><title>NetEase emulator</title></head><body>${content}</body></html>`)
}

function send(res, status, json, headers = {}) {
  const body = Buffer.from(JSON.stringify(json))
  res.writeHead(status, { ...headers, 'content-type': 'application/json;charset=UTF-8', 'content-length': body.length })
  res.end(body)
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = []
    let size = 0
    req.on('data', (c) => {
      size += c.length
      if (size > MAX_BODY) {
        reject(new Error('request body too large'))
        req.destroy()
      } else chunks.push(c)
    })
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('error', reject)
  })
}

async function readJson(req) {
  const raw = (await readBody(req)).toString()
  if (!raw.trim()) return {}
  try {
    return JSON.parse(raw)
  } catch {
    return {}
  }
}

/** Starts an emulator on 127.0.0.1; resolves to `{ port, url, emulator, close }`. */
export async function startEmulator({ port = 0, stateDir, scenario = {} } = {}) {
  const ownDir = !stateDir
  stateDir = stateDir || fs.mkdtempSync(path.join(os.tmpdir(), 'netease-emulator-'))
  fs.mkdirSync(stateDir, { recursive: true })
  const emulator = new Emulator({ scenario, stateDir })
  const server = http.createServer((req, res) => emulator.handle(req, res))
  // Keep idle connections as long as NetEase's servers do (node's default, 5 s, races a
  // client reusing a pooled connection just as the server closes it: "connection reset").
  server.keepAliveTimeout = 65_000
  server.headersTimeout = 66_000
  await new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', resolve)
  })
  const actual = server.address().port
  emulator.base = `http://127.0.0.1:${actual}`
  return {
    port: actual,
    url: emulator.base,
    weapiModulus: emulator.weapiKeyPair ? emulator.weapiKeyPair.modulusHex : undefined,
    emulator,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.()
        server.close(() => {
          // A state directory the emulator made for itself goes with it.
          if (ownDir) fs.rmSync(stateDir, { recursive: true, force: true })
          resolve()
        })
      }),
  }
}

function parseArgs(argv) {
  const args = { port: 0 }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    const next = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`)
      return argv[++i]
    }
    if (a === '--port') args.port = Number(next())
    else if (a === '--state') args.state = next()
    else if (a === '--scenario') args.scenario = next()
    else if (a === '--weapi-rsa') {
      args.weapiRsa = next()
      if (args.weapiRsa !== 'generate') throw new Error('--weapi-rsa takes "generate"')
    }
    else if (a === '--help' || a === '-h') args.help = true
    else throw new Error(`unknown argument ${a}`)
  }
  return args
}

async function main() {
  let args
  try {
    args = parseArgs(process.argv.slice(2))
  } catch (e) {
    console.error(`${e.message}\nusage: server.mjs --port N --state DIR [--scenario FILE] [--weapi-rsa generate]`)
    process.exit(2)
  }
  if (args.help) {
    console.log(
      'usage: server.mjs --port N --state DIR [--scenario FILE] [--weapi-rsa generate]  (see docs/netease.md)',
    )
    return
  }
  const scenario = args.scenario ? JSON.parse(fs.readFileSync(args.scenario, 'utf8')) : {}
  if (args.weapiRsa) scenario.weapi = { ...(scenario.weapi || {}), rsa: args.weapiRsa }
  const started = await startEmulator({ port: args.port, stateDir: args.state, scenario })
  // The modulus (hex) of its own weapi key, when it has one: LYREBIRD_NETEASE_WEAPI_PUBKEY.
  process.stdout.write(`${JSON.stringify({ port: started.port, weapiModulus: started.weapiModulus })}\n`)
  const stop = () => started.close().then(() => process.exit(0))
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)
}

if (import.meta.url === pathToFileURL(process.argv[1] || '').href) {
  main().catch((e) => {
    console.error(e)
    process.exit(1)
  })
}
