// The served certificate's expiry: read from the PEM's first certificate (the leaf of a fullchain file), and when to warn.
import { describe, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { certificateNotAfter, expiryWarning } from '../../src/http/certificate'
import { HAS_OPENSSL, selfSignedCert } from '../helpers/tls'

const DAY = 86_400_000

describe.skipIf(!HAS_OPENSSL)('certificateNotAfter', () => {
  test('is the end of the first certificate of the file: a fullchain file names its leaf first', () => {
    const leaf = readFileSync(selfSignedCert('leaf').cert, 'utf8')
    const other = readFileSync(selfSignedCert('other', 30).cert, 'utf8')
    const notAfter = certificateNotAfter(leaf + other)!.getTime()
    // openssl -days 1: one day from now, to the second.
    expect(Math.abs(notAfter - (Date.now() + DAY))).toBeLessThan(60_000)
    expect(Math.abs(certificateNotAfter(other + leaf)!.getTime() - (Date.now() + 30 * DAY))).toBeLessThan(60_000)
  })

  test('is undefined for text that holds no certificate', () => {
    expect(certificateNotAfter('not a certificate')).toBeUndefined()
  })
})

describe('expiryWarning', () => {
  const now = new Date('2026-12-01T00:00:00Z')
  test('says nothing while more than 14 days are left', () => {
    expect(expiryWarning(new Date(now.getTime() + 15 * DAY), now)).toBeUndefined()
  })
  test('names the date and the days left inside 14 days, and how to renew without a restart', () => {
    const text = expiryWarning(new Date(now.getTime() + 3 * DAY), now)!
    expect(text).toContain('2026-12-04')
    expect(text).toContain('3 days')
    expect(text).toContain('SIGHUP')
  })
  test('says so when it has expired: Entra refuses it', () => {
    expect(expiryWarning(new Date(now.getTime() - DAY), now)).toContain('expired')
  })
})
