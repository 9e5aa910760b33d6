// A test client for the emulator that encrypts with the npm package's own client functions
// (`weapi`, `eapi`, `linuxapi`, `xeapi`, `xeapiSign`) and decrypts replies with its
// `eapiResDecrypt` / `xeapiResDecrypt`, building headers and cookies the way its
// `util/request.js` does. It only ever talks to the base URL it is given.

import { ncm, encSecKeyFor } from './wire.mjs'

const BASE62 = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'

/** Runs `fn` with Math.random replaying `secret`'s characters (for the package's weapi). */
export function withWeapiSecret(secret, fn) {
  const draws = [...secret].map((c) => BASE62.indexOf(c) / 61)
  const random = Math.random
  let i = 0
  Math.random = () => (i < draws.length ? draws[i++] : random())
  try {
    return fn()
  } finally {
    Math.random = random
  }
}

export { encSecKeyFor }

const modPow = (base, exp, mod) => {
  let result = 1n
  base %= mod
  while (exp > 0n) {
    if (exp & 1n) result = (result * base) % mod
    base = (base * base) % mod
    exp >>= 1n
  }
  return result
}

/**
 * weapi as the package's `weapi` does it (its `aesEncrypt` for both layers, a random base62
 * secret), but with the secret hidden with another RSA public key: `modulusHex` (e = 65537),
 * an emulator's own.
 */
export function weapiWithModulus(object, modulusHex, secret) {
  const text = JSON.stringify(object)
  secret = secret || Array.from({ length: 16 }, () => BASE62[Math.floor(Math.random() * 62)]).join('')
  const params = ncm.aesEncrypt(ncm.aesEncrypt(text, 'cbc', '0CoJUm6Qyw8W8jud', '0102030405060708'), 'cbc', secret, '0102030405060708')
  const reversed = Buffer.from([...secret].reverse().join(''), 'latin1').toString('hex')
  const c = modPow(BigInt(`0x${reversed}`), 65537n, BigInt(`0x${modulusHex}`))
  return { params, encSecKey: c.toString(16).padStart(256, '0') }
}

const cookieLine = (obj) =>
  Object.entries(obj)
    .filter(([, v]) => v !== undefined && v !== null)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('; ')

let requestNumber = 0

export class NcmClient {
  constructor(base, { deviceId = 'EMUDEVICE0123456789ABCDEF0123456789ABCDEF0123456789', weapiSecret, weapiModulus } = {}) {
    if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(base)) throw new Error(`the test client only talks to loopback, not ${base}`)
    this.base = base
    this.deviceId = deviceId
    this.weapiSecret = weapiSecret
    this.weapiModulus = weapiModulus
    this.credentials = {}
    this.xeapiKey = null
    this.xeapiSession = null
  }

  async post(path, form, headers = {}) {
    const res = await fetch(this.base + path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(form).toString(),
    })
    const raw = Buffer.from(await res.arrayBuffer())
    return { status: res.status, headers: res.headers, raw, setCookie: res.headers.getSetCookie() }
  }

  /** Reads a reply: encrypted ones with the package's decryptions, others as JSON. */
  static read(reply, mode, aeapi = false) {
    const { raw } = reply
    const plain = () => JSON.parse(raw.toString())
    if (reply.status !== 200) {
      try {
        return { ...reply, body: plain() }
      } catch {
        return { ...reply, body: raw.toString() }
      }
    }
    if (mode === 'xeapi') return { ...reply, body: ncm.xeapiResDecrypt(raw) }
    if (mode === 'eapi') {
      const body = ncm.eapiResDecrypt(raw.toString('hex').toUpperCase(), aeapi)
      if (body === null) throw new Error('the reply does not decrypt')
      return { ...reply, body }
    }
    return { ...reply, body: plain() }
  }

  webCookies(apiPath) {
    const c = {
      __remember_me: 'true',
      ntes_kaola_ad: '1',
      _ntes_nuid: 'a'.repeat(32),
      _ntes_nnid: `${'a'.repeat(32)},1700000000000`,
      WNMCID: 'abcdef.1700000000000.01.0',
      WEVNSM: '1.0.0',
      osver: 'Microsoft-Windows-10-Professional-build-19045-64bit',
      deviceId: this.deviceId,
      os: 'pc',
      channel: 'netease',
      appver: '3.1.17.204416',
      ...this.credentials,
    }
    if (!apiPath.includes('login')) c.NMTID = 'b'.repeat(32)
    return c
  }

  async weapi(apiPath, data = {}, { e_r = false, secret = this.weapiSecret } = {}) {
    const body = { ...data, e_r, csrf_token: this.credentials.__csrf || '' }
    const form = this.weapiModulus
      ? weapiWithModulus(body, this.weapiModulus, secret)
      : secret
        ? withWeapiSecret(secret, () => ncm.weapi(body))
        : ncm.weapi(body)
    const reply = await this.post(`/weapi/${apiPath.slice(5)}`, form, {
      Referer: this.base,
      'User-Agent': 'Mozilla/5.0 (emulator test; weapi)',
      Cookie: cookieLine(this.webCookies(apiPath)),
    })
    return NcmClient.read(reply, e_r ? 'eapi' : 'plain')
  }

  eapiHeader() {
    const header = {
      osver: 'Microsoft-Windows-10-Professional-build-19045-64bit',
      deviceId: this.deviceId,
      os: 'pc',
      appver: '3.1.17.204416',
      versioncode: '140',
      mobilename: '',
      buildver: String(Date.now()).slice(0, 10),
      resolution: '1920x1080',
      __csrf: this.credentials.__csrf || '',
      channel: 'netease',
      requestId: `${Date.now()}_${String(++requestNumber % 1000).padStart(4, '0')}`,
    }
    if (this.credentials.MUSIC_U) header.MUSIC_U = this.credentials.MUSIC_U
    if (this.credentials.MUSIC_A) header.MUSIC_A = this.credentials.MUSIC_A
    return header
  }

  async eapi(apiPath, data = {}, { e_r = false, aeapi = false, path } = {}) {
    const header = this.eapiHeader()
    const form = ncm.eapi(apiPath, { ...data, e_r, header })
    const headers = { Cookie: cookieLine(header), 'User-Agent': 'NeteaseMusic 9.0.90/5038 (iPhone; iOS 16.2; zh_CN)' }
    if (aeapi) headers['x-aeapi'] = 'true'
    const reply = await this.post(path || `/eapi/${apiPath.slice(5)}`, form, headers)
    return NcmClient.read(reply, e_r ? 'eapi' : 'plain', aeapi)
  }

  async linuxapi(apiPath, data = {}) {
    const form = ncm.linuxapi({ method: 'POST', url: this.base + apiPath, params: data })
    const reply = await this.post('/api/linux/forward', form, { Cookie: cookieLine(this.webCookies(apiPath)) })
    return NcmClient.read(reply, 'plain')
  }

  async api(apiPath, data = {}) {
    return NcmClient.read(await this.post(apiPath, data, { Cookie: cookieLine(this.webCookies(apiPath)) }), 'plain')
  }

  /** The key exchange, as the package's `register_xeapikey` does it. */
  async fetchXeapiKey() {
    let nonce = ''
    for (let i = 0; i < 16; i++) nonce += Math.floor(Math.random() * 10)
    const timestamp = String(Date.now())
    const reply = await this.api('/api/gorilla/anti/crawler/security/key/get', {
      appVersion: '9.5.61',
      currentKeyVersion: this.xeapiKey ? this.xeapiKey.version : '',
      deviceId: this.deviceId,
      nonce,
      os: 'android',
      requestType: 'active',
      signature: ncm.xeapiSign(timestamp, nonce),
      t1: '',
      t2: '',
      timestamp,
      uid: '',
    })
    const d = reply.body.data
    if (ncm.xeapiSign(d.timestamp, nonce) !== d.signature) throw new Error('key reply signature mismatch')
    const key = ncm.xeapiDecryptPublicKey(d.encryptedData)
    if (!key.sk && this.xeapiKey) key.sk = this.xeapiKey.sk
    this.xeapiKey = key
    return key
  }

  async xeapi(apiPath, data = {}, { useSession = true } = {}) {
    if (!this.xeapiKey) await this.fetchXeapiKey()
    const session = useSession ? this.xeapiSession : null
    const form = ncm.xeapi(apiPath, { ...data, e_r: true }, {
      publicKeyState: this.xeapiKey,
      sessionId: session ? session.id : '',
      sessionKey: session ? session.key : '',
    })
    const headers = {
      'User-Agent': 'NeteaseMusic/9.5.61.260802021928(9005061);Dalvik/2.1.0 (Linux; U; Android 12; HBN-AL00 Build/cd737a2.0)',
      'X-Client-Enc-State': 'ENCRYPTED',
      'x-aeapi': 'true',
      'x-deviceid': this.deviceId,
      'x-os': 'android',
      'x-osver': '16',
      'x-appver': '9.1.65',
      'x-sdeviceid': this.deviceId,
      'x-buildver': String(Date.now()).slice(0, 10),
      Cookie: cookieLine({ ...this.webCookies(apiPath), os: 'android' }),
    }
    if (this.credentials.MUSIC_U) headers['x-music-u'] = this.credentials.MUSIC_U
    const reply = await this.post(`/xeapi/${apiPath.slice(5)}`, form, headers)
    const id = reply.headers.get('x-encr-ssid')
    const key = reply.headers.get('x-encr-sskey')
    if (id && key) this.xeapiSession = { id, key }
    return NcmClient.read(reply, 'xeapi')
  }

  /** Keeps the MUSIC_U / __csrf / MUSIC_A of `Set-Cookie` lines. */
  keepCookies(lines) {
    for (const line of lines) {
      const [pair] = line.split(';')
      const eq = pair.indexOf('=')
      const k = pair.slice(0, eq).trim()
      if (['MUSIC_U', '__csrf', 'MUSIC_A'].includes(k)) this.credentials[k] = pair.slice(eq + 1).trim()
    }
  }
}
