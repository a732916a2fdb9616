// RFC 9865 cursors: what decodeCursor accepts of the text a client sends back.
import { describe, expect, test } from 'bun:test'
import { CURSOR_CLOCK_SKEW_SECONDS, decodeCursor, encodeCursor, queryFingerprint } from '../../src/scim/cursor'
import { catchScimError } from '../helpers/scim'

const FINGERPRINT = queryFingerprint('User', undefined)

describe('scim/cursor', () => {
  test('a cursor issued here reads back as its position', () => {
    const text = encodeCursor({ direction: 'before', id: 'abc' }, FINGERPRINT, 100)
    expect(decodeCursor(text, FINGERPRINT, 100, 60)).toEqual({ direction: 'before', id: 'abc' })
  })

  test('a cursor around an id no write stores (NUL, a lone surrogate) is invalidCursor', () => {
    for (const id of ['a\u0000', '\ud800x', '\udc00']) {
      const text = encodeCursor({ direction: 'after', id }, FINGERPRINT, 100)
      expect(catchScimError(() => decodeCursor(text, FINGERPRINT, 100, 60)).scimType).toBe('invalidCursor')
    }
  })

  test('a cursor older than the timeout is expiredCursor; one issued later than now, past clock skew, is invalidCursor', () => {
    const at = (issuedAt: number) => encodeCursor({ direction: 'after', id: 'abc' }, FINGERPRINT, issuedAt)
    expect(catchScimError(() => decodeCursor(at(100), FINGERPRINT, 161, 60)).scimType).toBe('expiredCursor')
    expect(decodeCursor(at(100), FINGERPRINT, 160, 60).id).toBe('abc')
    // Replicas' clocks differ a little; a cursor from far ahead was made by hand and would never expire.
    expect(decodeCursor(at(100 + CURSOR_CLOCK_SKEW_SECONDS), FINGERPRINT, 100, 60).id).toBe('abc')
    expect(catchScimError(() => decodeCursor(at(101 + CURSOR_CLOCK_SKEW_SECONDS), FINGERPRINT, 100, 60)).scimType).toBe(
      'invalidCursor'
    )
  })
})
