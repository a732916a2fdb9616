// ES256 compact JWS: what is signed verifies with the published key, and nothing else does.
import { describe, expect, test } from 'bun:test'
import { newSigningKey, publicJwkOf, signCompact, thumbprint, verifyCompact } from '../../src/events/jws'
import { EventKeys, ensureEventKey } from '../../src/events/key-store'
import { openDatabase } from '../../src/store/db'

describe('events/jws', () => {
  test('a SET signed with the key verifies with its public JWK, and carries typ secevent+jwt (RFC 8417 §2.3)', () => {
    const key = newSigningKey()
    const token = signCompact({ jti: '1.ab', events: {} }, key)
    const header = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString())
    expect(header).toEqual({ alg: 'ES256', typ: 'secevent+jwt', kid: key.kid })
    expect(verifyCompact(token, [publicJwkOf(key)])).toEqual({ jti: '1.ab', events: {} })
  })

  test('a changed payload, another key or another alg does not verify', () => {
    const key = newSigningKey()
    const [h, , s] = signCompact({ n: 1 }, key).split('.')
    const forged = `${h}.${Buffer.from(JSON.stringify({ n: 2 })).toString('base64url')}.${s}`
    expect(() => verifyCompact(forged, [publicJwkOf(key)])).toThrow('bad signature')
    const other = newSigningKey()
    expect(() => verifyCompact(signCompact({ n: 1 }, other), [publicJwkOf(key)])).toThrow('no key')
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.e30.`
    expect(() => verifyCompact(none, [publicJwkOf(key)])).toThrow('unexpected alg')
  })

  test('the kid is the RFC 7638 thumbprint: the same for the same public key, not for another', () => {
    const key = newSigningKey()
    expect(key.kid).toBe(thumbprint(key.jwk))
    expect(key.kid).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(newSigningKey().kid).not.toBe(key.kid)
    expect(publicJwkOf(key)).not.toHaveProperty('d')
  })
})

describe('events/key-store', () => {
  test('a tenant gets one key, made on first use or by ensureEventKey, kept in event_keys', () => {
    const { sqlite } = openDatabase(':memory:')
    try {
      const kid = ensureEventKey(sqlite, 'default')
      expect(ensureEventKey(sqlite, 'default')).toBe(kid)
      const keys = new EventKeys(sqlite, () => new Date())
      expect(keys.signingKey('default').kid).toBe(kid)
      expect(keys.jwks('default').keys.map((k) => k.kid)).toEqual([kid])
      expect(sqlite.query('SELECT count(*) AS n FROM event_keys').get()).toEqual({ n: 1 })
    } finally {
      sqlite.close()
    }
  })
})
