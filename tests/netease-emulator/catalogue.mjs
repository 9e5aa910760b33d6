// The emulator's catalogue: the default scenario, and songs, privileges, playlists and lyrics
// in the shapes NetEase's replies have (field names from the npm package's modules and real
// replies).

/** Quality levels: bit rate as NetEase reports it, and the file type served. */
export const LEVELS = {
  standard: { br: 128000, type: 'mp3' },
  higher: { br: 192000, type: 'mp3' },
  exhigh: { br: 320000, type: 'mp3' },
  lossless: { br: 999000, type: 'flac' },
  hires: { br: 1999000, type: 'flac' },
  jymaster: { br: 4000000, type: 'flac' },
}
export const LEVEL_ORDER = ['standard', 'higher', 'exhigh', 'lossless', 'hires', 'jymaster']

/** Ids at or above this, up to the largest generated playlist, are generated songs. */
export const GENERATED_BASE = 5_000_000

export const DEFAULT_SCENARIO = {
  user: {
    userId: 10001,
    nickname: 'Emulated Listener',
    vipType: 11,
    // A login token that is valid from the start, so tests can skip the QR flow.
    musicU: 'EMU_MUSIC_U_PRESET_10001',
    // Password and SMS logins (the SMS code is whatever the emulator "sent": GET /__control/sms).
    countrycode: '86',
    phone: '13800138000',
    email: 'listener@163.com',
    password: 'correct horse',
  },
  /** Wrong passwords in a row before password logins answer 509; SMS codes live this long. */
  login: { maxWrongPasswords: 5, smsTtlMs: 300000, smsIntervalMs: 60000 },
  session: { noLoginCode: 301, badTokenCode: 301 },
  qr: { ttlMs: 300000 },
  weapi: { secrets: [], unknownSecret: 'reject' },
  xeapi: { sessions: true },
  audio: { urlTtlSeconds: 1200, trialSeconds: 30, sampleRate: 22050 },
  songDetailMax: 1000,
  playlistTracksCap: 1000,
  songs: [
    { id: 1001, name: 'Loopback Morning', artist: 'The Emulators', album: 'Localhost', fee: 0, maxLevel: 'lossless', toneHz: 440 },
    { id: 1002, name: 'Free Low Quality', artist: 'The Emulators', album: 'Localhost', fee: 8, maxLevel: 'exhigh', toneHz: 494 },
    { id: 1003, name: 'Members Only', artist: 'Paywall Trio', album: 'Premium', fee: 1, maxLevel: 'hires', toneHz: 523 },
    { id: 1004, name: 'Trial Cut', artist: 'Paywall Trio', album: 'Premium', fee: 1, trial: true, maxLevel: 'exhigh', toneHz: 587 },
    { id: 1005, name: 'Greyed Out', artist: 'Lost Rights', album: 'Gone', fee: 0, greyed: true, maxLevel: 'exhigh', toneHz: 659 },
    { id: 1006, name: '夜曲 Nocturne', artist: '模拟器', album: '回环', fee: 0, maxLevel: 'hires', toneHz: 698, durationMs: 60000 },
    { id: 1007, name: 'Instrumental Hum', artist: 'The Emulators', album: 'Localhost', fee: 0, maxLevel: 'standard', toneHz: 784, lyrics: 'none' },
    { id: 1008, name: 'Cloud Upload', artist: 'Me', album: 'My Cloud', fee: 0, maxLevel: 'exhigh', toneHz: 880 },
    // An artist with two albums (album and artist pages): free, VIP-only, greyed and fee-8 songs.
    { id: 1011, name: 'Opening Bars', artist: 'Catalogue Quartet', album: 'Deep Cuts', fee: 0, maxLevel: 'lossless', toneHz: 330, no: 1 },
    { id: 1012, name: 'Subscribers Only', artist: 'Catalogue Quartet', album: 'Deep Cuts', fee: 1, maxLevel: 'hires', toneHz: 349, no: 2 },
    { id: 1013, name: 'Withdrawn', artist: 'Catalogue Quartet', album: 'Deep Cuts', fee: 0, greyed: true, maxLevel: 'exhigh', toneHz: 370, no: 3 },
    { id: 1014, name: 'Low Fidelity', artist: 'Catalogue Quartet', album: 'Deep Cuts', fee: 8, maxLevel: 'exhigh', toneHz: 392, no: 4 },
    { id: 1015, name: 'Encore', artist: 'Catalogue Quartet', album: 'B-Sides', fee: 0, maxLevel: 'exhigh', toneHz: 415, no: 1 },
    // The studio-master level (jymaster): VIP only.
    { id: 1016, name: 'Studio Master', artist: 'Master Class', album: 'Studio', fee: 1, maxLevel: 'jymaster', toneHz: 466 },
  ],
  /** Album and artist pages: what the catalogue cannot derive from its songs. */
  albumInfo: {
    'Deep Cuts': { description: 'An emulated album.', company: 'Loopback Records', publishTime: 1704067200000 },
    'B-Sides': { description: null, company: null, publishTime: 1609459200000 },
  },
  artistInfo: {
    'Catalogue Quartet': { briefDesc: 'Four emulated musicians.' },
  },
  daily: [1001, 1002, 1003, 1004, 1006],
  fm: [1006, 1001, 1002, 1007, 1003],
  liked: [1001, 1006],
  /** The logged-in user's saved albums and followed artists (by name; ids derive from names). */
  savedAlbums: ['Deep Cuts'],
  followedArtists: ['Catalogue Quartet'],
  cloud: [1008],
  /** "Recently played" before anything is scrobbled (a scrobbled start goes on top). */
  recent: [1006, 1002],
  /** NetEase's charts: playlists of NetEase's own, listed by /api/toplist. */
  charts: [
    { id: 19723756, name: '飙升榜', updateFrequency: '每天更新', trackIds: [1006, 1001, 1003, 1005] },
    { id: 3779629, name: '新歌榜', updateFrequency: '每天更新', trackIds: [1015, 1011, 1014] },
  ],
  playlists: [
    { id: 2001, name: 'Emulated Mix', trackIds: [1001, 1002, 1003, 1004, 1005, 1006, 1007] },
    { id: 2002, name: 'Ten Thousand', generate: 10000 },
  ],
  faults: [],
}

/** Deep-ish merge: objects merge, arrays and scalars replace. */
export function mergeScenario(base, over) {
  const out = { ...base }
  for (const [k, v] of Object.entries(over || {})) {
    out[k] =
      v && typeof v === 'object' && !Array.isArray(v) && base[k] && typeof base[k] === 'object'
        ? { ...base[k], ...v }
        : v
  }
  return out
}

export class Catalogue {
  constructor(scenario) {
    this.scenario = scenario
    this.songs = new Map()
    // `extraSongs` adds to the songs rather than replacing them (a scenario's arrays replace).
    for (const s of [...scenario.songs, ...(scenario.extraSongs || [])]) this.songs.set(Number(s.id), normaliseSong(s))
    this.playlists = new Map()
    let generatedEnd = GENERATED_BASE
    for (const p of scenario.playlists) {
      let trackIds = (p.trackIds || []).map(Number)
      if (p.generate) {
        const start = generatedEnd + 1
        trackIds = Array.from({ length: p.generate }, (_, i) => start + i)
        generatedEnd += p.generate
      }
      this.playlists.set(Number(p.id), { ...p, id: Number(p.id), trackIds })
    }
    this.charts = new Map((scenario.charts || []).map((c) => [Number(c.id), { ...c, id: Number(c.id), trackIds: (c.trackIds || []).map(Number) }]))
    this.generatedEnd = generatedEnd
  }
  /** A song by id (generated ones made on demand), or undefined. */
  song(id) {
    id = Number(id)
    const known = this.songs.get(id)
    if (known) return known
    if (id > GENERATED_BASE && id <= this.generatedEnd) {
      const n = id - GENERATED_BASE
      return normaliseSong({
        id,
        name: `Generated Track ${n}`,
        artist: `Generator ${n % 97}`,
        album: `Batch ${Math.floor(n / 100)}`,
        fee: n % 10 === 0 ? 8 : 0,
        maxLevel: 'exhigh',
        durationMs: 3000,
      })
    }
    return undefined
  }
  /** The songs of album `id` in order (by `no`, then id), or undefined when no song has it. */
  album(id) {
    id = Number(id)
    const songs = [...this.songs.values()].filter((s) => s.albumId === id)
    if (songs.length === 0) return undefined
    songs.sort((a, b) => (a.no || 0) - (b.no || 0) || a.id - b.id)
    return { id, name: songs[0].album, artist: songs[0].artist, artistId: songs[0].artistId, songs }
  }
  /** Artist `id`: their songs and albums (newest first), or undefined. */
  artist(id) {
    id = Number(id)
    const songs = [...this.songs.values()].filter((s) => s.artistId === id)
    if (songs.length === 0) return undefined
    const albumIds = [...new Set(songs.map((s) => s.albumId))]
    const albums = albumIds.map((a) => this.album(a))
    albums.sort((a, b) => albumPublishTime(this.scenario, b) - albumPublishTime(this.scenario, a) || a.id - b.id)
    return { id, name: songs[0].artist, songs, albums }
  }
  /** The album named `name`, or undefined. */
  albumNamed(name) {
    const s = [...this.songs.values()].find((x) => x.album === name)
    return s ? this.album(s.albumId) : undefined
  }
  /** The artist named `name`, or undefined. */
  artistNamed(name) {
    const s = [...this.songs.values()].find((x) => x.artist === name)
    return s ? this.artist(s.artistId) : undefined
  }
  search(keywords) {
    // Every word must be in the song's name, artist or album (as NetEase matches "title artist").
    const words = String(keywords || '').toLowerCase().split(/\s+/).filter(Boolean)
    return [...this.songs.values()].filter((s) => {
      const text = `${s.name} ${s.artist} ${s.album}`.toLowerCase()
      return words.length > 0 && words.every((w) => text.includes(w))
    })
  }
}

function normaliseSong(s) {
  const id = Number(s.id)
  return {
    fee: 0,
    maxLevel: 'exhigh',
    durationMs: 5000,
    greyed: false,
    trial: false,
    lyrics: 'full',
    artistId: 30000 + (hash(s.artist || '') % 10000),
    albumId: 40000 + (hash(s.album || '') % 10000),
    toneHz: 220 + (id % 60) * 15,
    ...s,
    id,
  }
}

function hash(text) {
  let h = 7
  for (const c of text) h = (h * 31 + c.codePointAt(0)) >>> 0
  return h
}

const isVip = (user) => Boolean(user && user.vipType > 0)

/** The highest level `user` may play of `song`, or null. */
export function playableLevel(song, user) {
  if (song.greyed) return null
  const max = LEVEL_ORDER.indexOf(song.maxLevel)
  let allowed
  if (isVip(user)) allowed = max
  else if (song.fee === 1 || song.fee === 4) return null
  else if (song.fee === 8) allowed = 0
  else allowed = Math.min(max, LEVEL_ORDER.indexOf('exhigh'))
  return LEVEL_ORDER[Math.min(max, allowed)]
}

const pic = (id) => `http://p1.music.126.net/emulator/${id}.jpg`

/** `privilege` / `privileges[]` entry. */
export function privilege(song, user) {
  const level = playableLevel(song, user)
  const pl = level ? LEVELS[level].br : 0
  const maxbr = LEVELS[song.maxLevel].br
  return {
    id: song.id,
    fee: song.fee,
    payed: isVip(user) && song.fee === 1 ? 1 : 0,
    st: song.greyed ? -200 : 0,
    pl,
    dl: pl,
    sp: song.greyed ? 0 : 7,
    cp: song.greyed ? 0 : 1,
    subp: 1,
    cs: false,
    maxbr,
    fl: song.fee === 1 ? 0 : Math.min(maxbr, 128000),
    toast: false,
    flag: 0,
    preSell: false,
    playMaxbr: maxbr,
    downloadMaxbr: maxbr,
    maxBrLevel: song.maxLevel,
    playMaxBrLevel: song.maxLevel,
    downloadMaxBrLevel: song.maxLevel,
    plLevel: level || 'none',
    dlLevel: level || 'none',
    flLevel: song.fee === 1 ? 'none' : 'standard',
    rscl: null,
    freeTrialPrivilege: {
      resConsumable: false,
      userConsumable: false,
      listenType: song.trial && !isVip(user) ? 0 : null,
      cannotListenReason: level ? null : 1,
      playReason: null,
    },
    rightSource: 0,
    chargeInfoList: LEVEL_ORDER.slice(0, LEVEL_ORDER.indexOf(song.maxLevel) + 1).map((l) => ({
      rate: LEVELS[l].br,
      chargeUrl: null,
      chargeMessage: null,
      chargeType: song.fee === 1 || (song.fee === 8 && l !== 'standard') ? 1 : 0,
    })),
    code: 0,
    message: null,
  }
}

const quality = (song, level, brOverride) => {
  if (LEVEL_ORDER.indexOf(level) > LEVEL_ORDER.indexOf(song.maxLevel)) return null
  const br = brOverride || LEVELS[level].br
  return { br, fid: 0, size: Math.round((br / 8) * (song.durationMs / 1000)), vd: -20000, sr: 44100 }
}

/** A song as `/api/v3/song/detail`, daily songs and cloud search give it. */
export function songV3(song) {
  return {
    name: song.name,
    mainTitle: null,
    additionalTitle: null,
    id: song.id,
    pst: 0,
    t: 0,
    ar: [{ id: song.artistId, name: song.artist, tns: [], alias: [] }],
    alia: [],
    pop: 100,
    st: 0,
    rt: '',
    fee: song.fee,
    v: 12,
    crbt: null,
    cf: '',
    al: { id: song.albumId, name: song.album, picUrl: pic(song.albumId), tns: [], pic: song.albumId },
    dt: song.durationMs,
    h: quality(song, 'exhigh'),
    m: quality(song, 'higher'),
    l: quality(song, 'standard'),
    sq: quality(song, 'lossless'),
    hr: quality(song, 'hires'),
    a: null,
    cd: '01',
    no: song.no || 1,
    rtUrl: null,
    ftype: 0,
    rtUrls: [],
    djId: 0,
    copyright: 1,
    s_id: 0,
    mark: 0,
    originCoverType: 0,
    originSongSimpleData: null,
    tagPicList: null,
    resourceState: true,
    version: 12,
    songJumpInfo: null,
    entertainmentTags: null,
    awardTags: null,
    single: 0,
    noCopyrightRcmd: song.greyed ? { type: 1, typeDesc: '暂无版权', songId: null } : null,
    mv: 0,
    rtype: 0,
    rurl: null,
    mst: 9,
    cp: 1416336,
    publishTime: 1700000000000,
  }
}

function albumPublishTime(scenario, album) {
  return (scenario.albumInfo && scenario.albumInfo[album.name] && scenario.albumInfo[album.name].publishTime) || 1700000000000
}

/** An artist as albums and the artist page name them. */
export function artistEntry(scenario, id, name, songCount = 0, albumCount = 0) {
  const info = (scenario.artistInfo && scenario.artistInfo[name]) || {}
  return {
    img1v1Id: 0,
    topicPerson: 0,
    picId: id,
    musicSize: songCount,
    albumSize: albumCount,
    mvSize: 0,
    briefDesc: info.briefDesc ?? '',
    picUrl: pic(`artist-${id}`),
    img1v1Url: pic(`artist-${id}-1v1`),
    followed: false,
    trans: '',
    alias: [],
    name,
    id,
    publishTime: 0,
    accountId: null,
  }
}

/** An album as `/api/v1/album/{id}` and `/api/artist/albums/{id}` give it. */
export function albumEntry(scenario, album) {
  const info = (scenario.albumInfo && scenario.albumInfo[album.name]) || {}
  const artist = artistEntry(scenario, album.artistId, album.artist)
  return {
    songs: [],
    paid: false,
    onSale: false,
    mark: 0,
    awardTags: null,
    blurPicUrl: pic(album.id),
    companyId: 0,
    pic: album.id,
    artist,
    artists: [artist],
    picId: album.id,
    publishTime: albumPublishTime(scenario, album),
    company: info.company ?? null,
    briefDesc: '',
    picUrl: pic(album.id),
    commentThreadId: `R_AL_3_${album.id}`,
    description: info.description ?? null,
    tags: '',
    status: 1,
    subType: '录音室版',
    alias: [],
    name: album.name,
    id: album.id,
    type: '专辑',
    size: album.songs.length,
    picId_str: String(album.id),
    info: { commentThread: { id: `R_AL_3_${album.id}` }, liked: false, commentCount: 0, shareCount: 0 },
  }
}

/** A song in the older shape personal FM uses. */
export function songV1(song, user) {
  const music = (level) => {
    const q = quality(song, level)
    return q && { name: null, id: song.id * 10 + LEVEL_ORDER.indexOf(level), size: q.size, extension: LEVELS[level].type, sr: 44100, dfsId: 0, bitrate: q.br, playTime: song.durationMs, volumeDelta: -2 }
  }
  return {
    name: song.name,
    id: song.id,
    position: 0,
    alias: [],
    status: 0,
    fee: song.fee,
    copyrightId: 0,
    disc: '01',
    no: 1,
    artists: [{ name: song.artist, id: song.artistId, picId: 0, img1v1Id: 0, briefDesc: '', picUrl: '', img1v1Url: '', albumSize: 0, alias: [], trans: '', musicSize: 0, topicPerson: 0 }],
    album: { name: song.album, id: song.albumId, type: '专辑', size: 10, picId: song.albumId, blurPicUrl: pic(song.albumId), companyId: 0, pic: song.albumId, picUrl: pic(song.albumId), publishTime: 1700000000000, description: '', tags: '', company: null, briefDesc: '', artist: { name: '', id: 0 }, songs: [], alias: [], status: 0, copyrightId: 0, commentThreadId: `R_AL_3_${song.albumId}`, artists: [{ name: song.artist, id: song.artistId }] },
    starred: false,
    popularity: 100,
    score: 100,
    starredNum: 0,
    duration: song.durationMs,
    playedNum: 0,
    dayPlays: 0,
    hearTime: 0,
    ringtone: null,
    crbt: null,
    audition: null,
    copyFrom: '',
    commentThreadId: `R_SO_4_${song.id}`,
    rtUrl: null,
    ftype: 0,
    rtUrls: [],
    copyright: 1,
    transName: null,
    sign: null,
    mark: 0,
    originCoverType: 0,
    single: 0,
    noCopyrightRcmd: null,
    hMusic: music('exhigh'),
    mMusic: music('higher'),
    lMusic: music('standard'),
    bMusic: music('standard'),
    mvid: 0,
    mp3Url: null,
    rtype: 0,
    rurl: null,
    privilege: privilege(song, user),
    alg: 'emulator_fm',
  }
}

export function creator(user) {
  return {
    defaultAvatar: false,
    province: 110000,
    authStatus: 0,
    followed: false,
    avatarUrl: pic(`avatar-${user.userId}`),
    accountStatus: 0,
    gender: 0,
    city: 110101,
    birthday: 0,
    userId: user.userId,
    userType: 0,
    nickname: user.nickname,
    signature: '',
    description: '',
    detailDescription: '',
    avatarImgId: 0,
    backgroundImgId: 0,
    backgroundUrl: '',
    authority: 0,
    mutual: false,
    expertTags: null,
    experts: null,
    djStatus: 0,
    vipType: user.vipType,
    remarkName: null,
    authenticationTypes: 0,
    avatarDetail: null,
    anchor: false,
  }
}

/** A playlist summary as `/api/user/playlist` lists it. */
export function playlistSummary(p, user) {
  return {
    subscribers: [],
    subscribed: false,
    creator: creator(user),
    artists: null,
    tracks: null,
    updateFrequency: null,
    backgroundCoverId: 0,
    backgroundCoverUrl: null,
    titleImage: 0,
    titleImageUrl: null,
    englishTitle: null,
    opRecommend: false,
    recommendInfo: null,
    subscribedCount: 0,
    cloudTrackCount: 0,
    userId: user.userId,
    totalDuration: 0,
    coverImgId: p.id,
    privacy: 0,
    trackUpdateTime: 1700000000000,
    trackCount: p.trackIds.length,
    updateTime: 1700000000000,
    commentThreadId: `A_PL_0_${p.id}`,
    coverImgUrl: pic(`playlist-${p.id}`),
    specialType: p.specialType || 0,
    anonimous: false,
    createTime: 1690000000000,
    highQuality: false,
    newImported: false,
    trackNumberUpdateTime: 1700000000000,
    playCount: 42,
    adType: 0,
    description: p.description || null,
    tags: [],
    ordered: true,
    status: 0,
    name: p.name,
    id: p.id,
  }
}

const stamp = (ms) => {
  const m = Math.floor(ms / 60000)
  const s = ((ms % 60000) / 1000).toFixed(2).padStart(5, '0')
  return `[${String(m).padStart(2, '0')}:${s}]`
}

/** The `/api/song/lyric/v1` reply for a song. */
export function lyricsReply(song) {
  if (song.lyrics === 'none') {
    return { sgc: false, sfy: false, qfy: false, nolyric: true, uncollected: false, needDesc: true, briefDesc: null, code: 200 }
  }
  const half = Math.floor(song.durationMs / 2)
  const lines = [`${song.name} line one`, `${song.name} line two`]
  const times = [0, half]
  const lrc = times.map((t, i) => `${stamp(t)}${lines[i]}`).join('\n') + '\n'
  const reply = {
    sgc: false,
    sfy: false,
    qfy: false,
    transUser: { id: 1, status: 99, demand: 1, userid: 1, nickname: 'translator', uptime: 1700000000000 },
    lyricUser: { id: 2, status: 99, demand: 0, userid: 2, nickname: 'lyricist', uptime: 1700000000000 },
    lrc: { version: 3, lyric: `[by:emulator]\n${lrc}` },
    klyric: { version: 0, lyric: '' },
    tlyric: { version: 0, lyric: '' },
    romalrc: { version: 0, lyric: '' },
    code: 200,
  }
  if (song.lyrics === 'full') {
    reply.tlyric = { version: 2, lyric: times.map((t, i) => `${stamp(t)}译文 ${i + 1}`).join('\n') + '\n' }
    reply.romalrc = { version: 2, lyric: times.map((t, i) => `${stamp(t)}roma ${i + 1}`).join('\n') + '\n' }
    // Word-level lines: [start,duration](wordStart,wordDuration,0)word…, after a JSON credit line.
    const yrcLine = (start, dur, text) => {
      const words = text.split(' ')
      const each = Math.floor(dur / words.length)
      return (
        `[${start},${dur}]` +
        words.map((w, i) => `(${start + i * each},${each},0)${w}${i < words.length - 1 ? ' ' : ''}`).join('')
      )
    }
    reply.yrc = {
      version: 4,
      lyric:
        '{"t":0,"c":[{"tx":"作词: "},{"tx":"Emulator"}]}\n' +
        times.map((t, i) => yrcLine(t, half, lines[i])).join('\n') +
        '\n',
    }
    reply.ytlrc = { version: 0, lyric: '' }
    reply.yromalrc = { version: 0, lyric: '' }
  }
  return reply
}
