// Compact JWS (RFC 7515) with ES256 (RFC 7518 §3.4) over node:crypto, and JWKs (RFC 7517, 7638).
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto'

/** A P-256 public key as published in the JWKS. */
export interface PublicJwk {
  kty: 'EC'
  crv: 'P-256'
  x: string
  y: string
  kid: string
  use: 'sig'
  alg: 'ES256'
}

/** A P-256 private key as stored (`d` beside the public coordinates). */
export interface PrivateJwk {
  kty: 'EC'
  crv: 'P-256'
  x: string
  y: string
  d: string
}

/** A tenant's signing key: its kid, the JWK as stored, and the parsed key node:crypto signs with. */
export interface SigningKey {
  kid: string
  jwk: PrivateJwk
  key: KeyObject
}

const b64url = (bytes: Buffer | Uint8Array | string) => Buffer.from(bytes).toString('base64url')

/** RFC 7638 thumbprint: SHA-256 over the required members in lexical order, base64url. */
export function thumbprint(jwk: Pick<PrivateJwk, 'crv' | 'kty' | 'x' | 'y'>): string {
  const canonical = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y })
  return createHash('sha256').update(canonical).digest('base64url')
}

/** A fresh P-256 key pair; ES256 signatures are 64 bytes and verify in every JOSE library. */
export function newSigningKey(): SigningKey {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  return signingKeyOf(privateKey.export({ format: 'jwk' }) as PrivateJwk)
}

/** A stored private JWK as a key to sign with, its kid derived again (so a stored kid cannot disagree). */
export function signingKeyOf(jwk: PrivateJwk): SigningKey {
  return { kid: thumbprint(jwk), jwk, key: createPrivateKey({ key: { ...jwk }, format: 'jwk' }) }
}

/** The public half, for the JWKS: never `d`. */
export function publicJwkOf(key: Pick<SigningKey, 'kid' | 'jwk'>): PublicJwk {
  const { kty, crv, x, y } = key.jwk
  return { kty, crv, x, y, kid: key.kid, use: 'sig', alg: 'ES256' }
}

/** Each key's encoded protected header: the same for every SET it signs. */
const headers = new WeakMap<SigningKey, string>()

/** `claims` as a compact JWS with the RFC 8417 §2.3 `typ` of a SET. */
export function signCompact(claims: object, key: SigningKey): string {
  let header = headers.get(key)
  if (header === undefined) {
    header = b64url(JSON.stringify({ alg: 'ES256', typ: 'secevent+jwt', kid: key.kid }))
    headers.set(key, header)
  }
  const input = `${header}.${b64url(JSON.stringify(claims))}`
  const signature = sign('sha256', Buffer.from(input), { key: key.key, dsaEncoding: 'ieee-p1363' })
  return `${input}.${b64url(signature)}`
}

/**
 * The claims of a compact JWS signed with ES256 by one of `keys` (found by `kid`), or an Error
 * saying why not. What a receiver does with the published JWKS; the tests check SETs with it.
 */
export function verifyCompact(token: string, keys: readonly PublicJwk[]): unknown {
  const parts = token.split('.')
  if (parts.length !== 3) throw new Error('not a compact JWS')
  const [header, payload, signature] = parts as [string, string, string]
  const protectedHeader = JSON.parse(Buffer.from(header, 'base64url').toString()) as { alg?: string; kid?: string }
  if (protectedHeader.alg !== 'ES256') throw new Error(`unexpected alg ${protectedHeader.alg}`)
  const jwk = keys.find((k) => k.kid === protectedHeader.kid)
  if (!jwk) throw new Error(`no key ${protectedHeader.kid}`)
  const { kty, crv, x, y } = jwk
  const key = createPublicKey({ key: { kty, crv, x, y }, format: 'jwk' })
  const ok = verify(
    'sha256',
    Buffer.from(`${header}.${payload}`),
    { key, dsaEncoding: 'ieee-p1363' },
    Buffer.from(signature, 'base64url')
  )
  if (!ok) throw new Error('bad signature')
  return JSON.parse(Buffer.from(payload, 'base64url').toString())
}
