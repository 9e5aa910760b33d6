// The independent side of Lyrebird's NetEase cross-check (tests/crosscheck_npm.rs).
//
// Reads {"cases": [...]} on stdin, runs each case through the npm package
// @neteasecloudmusicapienhanced/api's util/crypto.js, and prints {"results": [...]} in the
// same order. Where the package draws random numbers, this script feeds it the bytes the
// case names, so its output can be compared with Lyrebird's byte for byte.
//
// Usage: node ncm_crosscheck.cjs <package dir> < cases.json
'use strict'
const path = require('path')
const nodeCrypto = require('crypto')

const dir = process.argv[2]
if (!dir) {
  console.error('usage: node ncm_crosscheck.cjs <package dir>')
  process.exit(2)
}
const ncm = require(path.join(path.resolve(dir), 'util', 'crypto.js'))

const BASE62 = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'
const EAPI_KEY = 'e82ckenh8dichen8'
const X25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex')

// Runs f with Math.random returning values that make weapi pick `secret`'s characters.
const withWeapiSecret = (secret, f) => {
  const draws = [...secret].map((c) => {
    const i = BASE62.indexOf(c)
    if (i < 0) throw new Error(`not base62: ${c}`)
    return i / 61
  })
  const saved = Math.random
  Math.random = () => {
    if (!draws.length) throw new Error('weapi drew more randomness than expected')
    return draws.shift()
  }
  try {
    return f()
  } finally {
    Math.random = saved
  }
}

// Runs f with crypto.randomBytes handing out `chunks` in order and the x25519 key pair
// generated from `secret`.
const withXeapiMaterial = (chunks, secret, f) => {
  const queue = chunks.map((h) => Buffer.from(h, 'hex'))
  const savedRandom = nodeCrypto.randomBytes
  const savedPair = nodeCrypto.generateKeyPairSync
  nodeCrypto.randomBytes = (n) => {
    const next = queue.shift()
    if (!next || next.length !== n) {
      throw new Error(`xeapi asked for ${n} random bytes, the case has ${next ? next.length : 'none'}`)
    }
    return next
  }
  nodeCrypto.generateKeyPairSync = (type) => {
    if (type !== 'x25519') throw new Error(`unexpected key type ${type}`)
    const privateKey = nodeCrypto.createPrivateKey({
      key: Buffer.concat([X25519_PKCS8_PREFIX, Buffer.from(secret, 'hex')]),
      format: 'der',
      type: 'pkcs8',
    })
    return { privateKey, publicKey: nodeCrypto.createPublicKey(privateKey) }
  }
  try {
    const out = f()
    if (queue.length) throw new Error('xeapi used less randomness than expected')
    return out
  } finally {
    nodeCrypto.randomBytes = savedRandom
    nodeCrypto.generateKeyPairSync = savedPair
  }
}

// Objects arrive as JSON text: JSON.parse keeps their key order, which the ciphertexts depend on.
const parse = (text) => JSON.parse(text)

const ops = {
  weapi: (c) => withWeapiSecret(c.secret, () => ncm.weapi(parse(c.json))),
  weapi_decrypt: (c) => {
    const outer = ncm.aesDecrypt(c.params, 'cbc', c.secret, '0102030405060708')
    const inner = ncm.aesDecrypt(
      outer.toString(require('crypto-js').enc.Utf8),
      'cbc',
      '0CoJUm6Qyw8W8jud',
      '0102030405060708',
    )
    return inner.toString(require('crypto-js').enc.Utf8)
  },
  eapi: (c) => ncm.eapi(c.url, parse(c.json)),
  eapi_req_decrypt: (c) => ncm.eapiReqDecrypt(c.params),
  eapi_res_encrypt: (c) => ncm.aesEncrypt(c.text, 'ecb', EAPI_KEY, '', 'hex'),
  eapi_res_decrypt: (c) => ncm.eapiResDecrypt(c.hex, false),
  linuxapi: (c) => ncm.linuxapi(parse(c.json)),
  linuxapi_decrypt: (c) =>
    ncm.aesDecrypt(c.eparams, 'ecb', 'rFgB&h#%2?^eDg:Q', '', 'hex').toString(require('crypto-js').enc.Utf8),
  xeapi: (c) => {
    const chunks = c.sessionKey ? [c.mask, c.iv] : [c.dynamicKey, c.mask, c.iv]
    return withXeapiMaterial(chunks, c.ephemeralSecret, () =>
      ncm.xeapi(c.uri, parse(c.json), {
        publicKeyState: c.publicKeyState,
        sessionId: c.sessionId,
        sessionKey: c.sessionKey,
        os: c.os,
      }),
    )
  },
  xeapi_sign: (c) => ncm.xeapiSign(c.timestamp, c.nonce),
  xeapi_res_decrypt: (c) => ncm.xeapiResDecrypt(Buffer.from(c.base64, 'base64')),
  xeapi_decrypt_public_key: (c) => ncm.xeapiDecryptPublicKey(c.encrypted),
}

let input = ''
process.stdin.setEncoding('utf8')
process.stdin.on('data', (d) => (input += d))
process.stdin.on('end', () => {
  const { cases } = JSON.parse(input)
  const results = cases.map((c) => {
    const op = ops[c.op]
    if (!op) throw new Error(`unknown op ${c.op}`)
    return op(c)
  })
  process.stdout.write(JSON.stringify({ results }))
})
