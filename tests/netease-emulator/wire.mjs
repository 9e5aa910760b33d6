// The server's side of NetEase's four request encryptions, built on the npm package
// @neteasecloudmusicapienhanced/api (an implementation independent of Lyrebird's Rust crate):
// its `util/crypto.js` decrypts and signs, and its `weapi` encrypts the candidate weapi
// secrets. What the package has no server half for (opening an xeapi request, encrypting a
// reply) is written here with node:crypto, mirroring the package's client code step by step.
//
// weapi cannot be opened in general: its secret key travels RSA-encrypted with NetEase's public
// key, and only NetEase has the private half. The emulator opens a weapi request when it knows
// the secret (registered through the scenario or `POST /__control/weapi/secret`, checked by
// re-encrypting it with NetEase's real public key); other weapi requests are rejected, or, in
// the scenario's "opaque" mode, checked for shape only and routed without their parameters.
// With a key pair of its own (`weapi.rsa` in the scenario, `--weapi-rsa generate`), the
// emulator opens every weapi request made with its public key: Lyrebird is told the modulus
// (LYREBIRD_NETEASE_WEAPI_PUBKEY, honoured only with LYREBIRD_NETEASE_API) and then needs no
// fixed randomness.

import { createRequire } from 'node:module'
import crypto from 'node:crypto'
import zlib from 'node:zlib'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))
export const packageDir =
  process.env.LYREBIRD_NCM_API_DIR ||
  path.resolve(here, '../../node_modules/@neteasecloudmusicapienhanced/api')

const require = createRequire(path.join(packageDir, 'package.json'))
/** The npm package's crypto module (weapi, eapi, linuxapi, xeapi, decryptions, xeapiSign). */
export const ncm = require('./util/crypto.js')
const CryptoJS = require('crypto-js')

// The constants the package keeps private (they are NetEase's, documented in docs/netease.md).
const IV = '0102030405060708'
const PRESET_KEY = '0CoJUm6Qyw8W8jud'
const LINUXAPI_KEY = 'rFgB&h#%2?^eDg:Q'
const EAPI_KEY = 'e82ckenh8dichen8'
const BASE62 = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'
export const XEAPI_STATIC_KEY = Buffer.from(
  'ab1d5a430f6bb04a3f01e81ddd72bd916d5ce591248ac128714806d7f8fb1b84',
  'hex',
)
const X25519_SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex')

/** A request whose crypto does not check out: answered with HTTP 400. */
export class WireError extends Error {
  constructor(scheme, message) {
    super(`${scheme}: ${message}`)
    this.scheme = scheme
  }
}

const utf8 = (wordArray, scheme, what) => {
  try {
    const text = wordArray.toString(CryptoJS.enc.Utf8)
    if (!text) throw new Error('empty')
    return text
  } catch {
    throw new WireError(scheme, `${what} does not decrypt`)
  }
}

const parseJson = (text, scheme, what) => {
  try {
    return JSON.parse(text)
  } catch {
    throw new WireError(scheme, `${what} is not JSON`)
  }
}

// ---- weapi ------------------------------------------------------------------------------

/**
 * The encSecKey NetEase's public key gives for `secret`, computed by the package's own
 * `weapi()` with Math.random replayed to draw exactly those characters.
 */
export function encSecKeyFor(secret) {
  if (secret.length !== 16 || [...secret].some((c) => !BASE62.includes(c))) {
    throw new Error('a weapi secret is 16 base62 characters')
  }
  const draws = [...secret].map((c) => BASE62.indexOf(c) / 61)
  const random = Math.random
  let i = 0
  Math.random = () => draws[i++]
  try {
    return ncm.weapi({}).encSecKey
  } finally {
    Math.random = random
  }
}

/** Known weapi secrets, by the encSecKey each gives. */
export class WeapiSecrets {
  constructor() {
    this.byEncSecKey = new Map()
  }
  add(secret) {
    this.byEncSecKey.set(encSecKeyFor(secret), secret)
  }
  lookup(encSecKey) {
    return this.byEncSecKey.get(String(encSecKey).toLowerCase())
  }
}

/**
 * The emulator's own weapi RSA key pair (e = 65537, 1024 bits, as NetEase's): `"generate"`
 * makes a fresh one, `{ privateKeyPem }` takes the scenario's. `modulusHex` is what a client
 * encrypts with; `secretOf(encSecKey)` undoes textbook RSA and the reversal.
 */
export class WeapiKeyPair {
  constructor(spec) {
    if (spec === 'generate') {
      this.privateKey = crypto.generateKeyPairSync('rsa', {
        modulusLength: 1024,
        publicExponent: 65537,
      }).privateKey
    } else if (spec && typeof spec.privateKeyPem === 'string') {
      this.privateKey = crypto.createPrivateKey(spec.privateKeyPem)
    } else {
      throw new Error('weapi.rsa is "generate" or { "privateKeyPem": "..." }')
    }
    const jwk = this.privateKey.export({ format: 'jwk' })
    if (Buffer.from(jwk.e, 'base64url').toString('hex') !== '010001') {
      throw new Error('the weapi key pair must have e = 65537')
    }
    const n = Buffer.from(jwk.n, 'base64url')
    if (n.length !== 128 || !(n[0] & 0x80)) throw new Error('the weapi key pair must be 1024 bits')
    this.modulusHex = n.toString('hex')
  }

  /** The 16-character secret `encSecKey` hides, or null when it was not made with this key. */
  secretOf(encSecKey) {
    let m
    try {
      m = crypto.privateDecrypt(
        { key: this.privateKey, padding: crypto.constants.RSA_NO_PADDING },
        Buffer.from(encSecKey, 'hex'),
      )
    } catch {
      return null
    }
    // Textbook RSA of 16 bytes: all but the last 16 bytes are zero, and those are the secret
    // reversed (16 base62 characters).
    if (m.length !== 128 || m.subarray(0, 112).some((b) => b !== 0)) return null
    const secret = Buffer.from(m.subarray(112)).reverse().toString('latin1')
    return [...secret].every((c) => BASE62.includes(c)) ? secret : null
  }
}

/**
 * Opens a weapi form. Returns `{ params, decrypted: true }`, or in opaque mode for an unknown
 * secret `{ params: {}, decrypted: false }`. With `keyPair` (the emulator's own), a request
 * made with its public key opens whatever its secret.
 */
export function openWeapi(form, secrets, unknownSecret = 'reject', keyPair = null) {
  const { params, encSecKey } = form
  if (typeof params !== 'string' || typeof encSecKey !== 'string') {
    throw new WireError('weapi', 'the form needs params and encSecKey')
  }
  if (!/^[0-9a-f]{256}$/i.test(encSecKey)) {
    throw new WireError('weapi', 'encSecKey is not 256 hex digits')
  }
  const raw = Buffer.from(params, 'base64')
  if (raw.length === 0 || raw.length % 16 !== 0 || raw.toString('base64') !== params) {
    throw new WireError('weapi', 'params is not base64 of whole AES blocks')
  }
  const secret = secrets.lookup(encSecKey) || (keyPair && keyPair.secretOf(encSecKey))
  if (!secret) {
    if (unknownSecret === 'opaque') return { params: {}, decrypted: false }
    throw new WireError(
      'weapi',
      'encSecKey hides a secret the emulator was not told (only NetEase can open it; ' +
        'register the secret with POST /__control/weapi/secret or use weapi.unknownSecret "opaque")',
    )
  }
  const outer = utf8(ncm.aesDecrypt(params, 'cbc', secret, IV), 'weapi', 'params')
  const inner = utf8(ncm.aesDecrypt(outer, 'cbc', PRESET_KEY, IV), 'weapi', 'the inner layer')
  return { params: parseJson(inner, 'weapi', 'params'), decrypted: true, secret }
}

// ---- eapi -------------------------------------------------------------------------------

/** Opens an eapi `params`: `{ url, params }`, the digest checked. */
export function openEapi(paramsHex) {
  if (typeof paramsHex !== 'string' || !/^([0-9A-F]{32})+$/.test(paramsHex)) {
    throw new WireError('eapi', 'params is not upper-case hex of whole AES blocks')
  }
  const text = utf8(ncm.aesDecrypt(paramsHex, 'ecb', EAPI_KEY, '', 'hex'), 'eapi', 'params')
  const match = text.match(/^(.*?)-36cd479b6b5-(.*)-36cd479b6b5-([0-9a-f]{32})$/s)
  if (!match) throw new WireError('eapi', 'params is not url-36cd479b6b5-json-36cd479b6b5-md5')
  const [, url, json, digest] = match
  const expected = CryptoJS.MD5(`nobody${url}use${json}md5forencrypt`).toString()
  if (digest !== expected) throw new WireError('eapi', 'the digest does not match')
  // The package's own parser must agree.
  const theirs = ncm.eapiReqDecrypt(paramsHex)
  if (!theirs || theirs.url !== url) throw new WireError('eapi', 'the package cannot parse it')
  return { url, params: parseJson(json, 'eapi', 'params') }
}

// ---- linuxapi ---------------------------------------------------------------------------

export function openLinuxapi(eparams) {
  if (typeof eparams !== 'string' || !/^([0-9A-F]{32})+$/.test(eparams)) {
    throw new WireError('linuxapi', 'eparams is not upper-case hex of whole AES blocks')
  }
  const text = utf8(
    ncm.aesDecrypt(eparams, 'ecb', LINUXAPI_KEY, '', 'hex'),
    'linuxapi',
    'eparams',
  )
  const inner = parseJson(text, 'linuxapi', 'eparams')
  if (typeof inner.url !== 'string' || typeof inner.params !== 'object') {
    throw new WireError('linuxapi', 'eparams has no url and params')
  }
  let apiPath
  try {
    apiPath = new URL(inner.url).pathname
  } catch {
    throw new WireError('linuxapi', 'the url inside is not absolute')
  }
  return { method: inner.method, url: inner.url, apiPath, params: inner.params }
}

// ---- xeapi ------------------------------------------------------------------------------

const aesEcb = (decrypt, key, data) => {
  const make = decrypt ? crypto.createDecipheriv : crypto.createCipheriv
  const c = make(`aes-${key.length * 8}-ecb`, key, null)
  return Buffer.concat([c.update(data), c.final()])
}

/** The server's X25519 key state, as the key exchange hands it out. */
export class XeapiServer {
  constructor() {
    this.versions = new Map()
    this.sessions = new Map()
    this.rotate()
  }
  /** A fresh key pair and sk under the next version. */
  rotate() {
    const { publicKey, privateKey } = crypto.generateKeyPairSync('x25519')
    const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32)
    this.version = String((Number(this.version) || 0) + 1)
    this.current = {
      version: this.version,
      publicKey: raw.toString('base64'),
      privateKey,
      sk: `emu-sk-${crypto.randomBytes(12).toString('hex')}`,
    }
    this.versions.set(this.version, this.current)
  }
  /** The key-exchange reply to the plain form `form`, or a WireError. */
  keyReply(form) {
    const { nonce, timestamp, signature } = form
    if (!/^\d{16}$/.test(nonce || '')) throw new WireError('xeapi key', 'nonce is not 16 digits')
    if (!timestamp || ncm.xeapiSign(timestamp, nonce) !== signature) {
      throw new WireError('xeapi key', 'the signature does not match timestamp + nonce')
    }
    const state = { publicKey: this.current.publicKey, version: this.current.version }
    // A refresh of the current version leaves sk out, as the real server may.
    if (form.currentKeyVersion !== this.current.version) state.sk = this.current.sk
    const ts = String(Date.now())
    return {
      code: 200,
      data: {
        encryptedData: aesEcb(false, XEAPI_STATIC_KEY, Buffer.from(JSON.stringify(state))).toString(
          'base64',
        ),
        timestamp: ts,
        signature: ncm.xeapiSign(ts, nonce),
      },
      message: '',
    }
  }
  newSession() {
    const id = `emu-ss-${crypto.randomBytes(6).toString('hex')}`
    let key = ''
    const bytes = crypto.randomBytes(16)
    for (const b of bytes) key += BASE62[b % 62]
    this.sessions.set(id, key)
    return { id, key }
  }
  /**
   * Opens an xeapi form `{B, S, R}`: the inverse of the package's `xeapi()`. Returns
   * `{ envelope, params, os, version, sessionId }`.
   */
  open(form) {
    const b64 = (name) => {
      const v = form[name]
      if (typeof v !== 'string' || !v) throw new WireError('xeapi', `no ${name}`)
      return Buffer.from(v, 'base64')
    }
    const s = b64('S')
    const r = b64('R')
    const b = b64('B')
    let rText
    try {
      rText = aesEcb(true, XEAPI_STATIC_KEY, r).toString()
    } catch {
      throw new WireError('xeapi', 'R does not decrypt')
    }
    const bar = rText.indexOf('|')
    if (bar < 0) throw new WireError('xeapi', 'R is not version|session')
    const version = rText.slice(0, bar)
    const sessionId = rText.slice(bar + 1)
    const key = this.versions.get(version)
    if (!key) throw new WireError('xeapi', `R names key version ${version}, which this server never gave out`)
    if (version !== this.current.version) {
      throw new WireError('xeapi', `key version ${version} was replaced by ${this.current.version}`)
    }
    if (s.length < 32 + 12 + 16) throw new WireError('xeapi', 'S is too short')
    const ephemeral = s.subarray(0, 32)
    const iv = s.subarray(32, 44)
    const sealed = s.subarray(44, s.length - 16)
    const tag = s.subarray(s.length - 16)
    const shared = crypto.diffieHellman({
      privateKey: key.privateKey,
      publicKey: crypto.createPublicKey({
        key: Buffer.concat([X25519_SPKI_PREFIX, ephemeral]),
        format: 'der',
        type: 'spki',
      }),
    })
    // HKDF-SHA256, zero salt, info = the ephemeral public key, 16 bytes (as the package).
    const prk = crypto.createHmac('sha256', Buffer.alloc(32)).update(shared).digest()
    const aesKey = crypto
      .createHmac('sha256', prk)
      .update(Buffer.concat([ephemeral, Buffer.from([1])]))
      .digest()
      .subarray(0, 16)
    let opened
    try {
      const d = crypto.createDecipheriv('aes-128-gcm', aesKey, iv)
      d.setAuthTag(tag)
      opened = Buffer.concat([d.update(sealed), d.final()]).toString()
    } catch {
      throw new WireError('xeapi', 'S does not authenticate')
    }
    const [keyB64, os, sk] = opened.split('|')
    if (sk === undefined) throw new WireError('xeapi', 'S is not key|os|sk')
    if (sk !== key.sk) throw new WireError('xeapi', 'S carries the wrong sk')
    const dynamicKey = Buffer.from(keyB64, 'base64')
    if (sessionId) {
      const sessionKey = this.sessions.get(sessionId)
      if (!sessionKey) throw new WireError('xeapi', `unknown session ${sessionId}`)
      if (!dynamicKey.equals(Buffer.from(sessionKey))) {
        throw new WireError('xeapi', 'the dynamic key is not the session key')
      }
    } else if (dynamicKey.length !== 16) {
      throw new WireError('xeapi', 'the dynamic key is not 16 bytes')
    }
    let envelopeText
    try {
      const masked = aesEcb(true, dynamicKey, b)
      const mask = masked.subarray(0, 16)
      const rotated = masked.subarray(16).toString()
      const rot = rotated.length ? (mask[0] & 0x0f) % rotated.length : 0
      const b64text = rotated.slice(rotated.length - rot) + rotated.slice(0, rotated.length - rot)
      const xored = Buffer.from(b64text, 'base64')
      const cipher = Buffer.alloc(xored.length)
      for (let i = 0; i < xored.length; i++) cipher[i] = xored[i] ^ mask[i & 0x0f]
      envelopeText = aesEcb(true, XEAPI_STATIC_KEY, cipher).toString()
    } catch {
      throw new WireError('xeapi', 'B does not decrypt')
    }
    const envelope = parseJson(envelopeText, 'xeapi', 'B')
    const query = new URLSearchParams(envelope.queryString || '')
    const params = Object.fromEntries(
      new URLSearchParams(Buffer.from(envelope.body || '', 'base64').toString()),
    )
    return { envelope, params, query: Object.fromEntries(query), os, version, sessionId }
  }
}

// ---- replies ----------------------------------------------------------------------------

/** An encrypted reply body: AES-128-ECB with the eapi key, gzipped first when asked. */
export function encryptReply(json, gzip) {
  let body = Buffer.from(JSON.stringify(json))
  if (gzip) body = zlib.gzipSync(body)
  return aesEcb(false, Buffer.from(EAPI_KEY), body)
}
