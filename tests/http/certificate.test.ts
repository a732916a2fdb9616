// The served certificate's expiry: read from the PEM's first certificate (the leaf of a fullchain file), and when to warn.
import { describe, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { certificateNotAfter, checkPemPair, expiryWarning } from '../../src/http/certificate'
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

describe.skipIf(!HAS_OPENSSL)('checkPemPair', () => {
  const files = (name: string) => {
    const { cert, key } = selfSignedCert(name)
    return { cert, key, pair: { cert: readFileSync(cert, 'utf8'), key: readFileSync(key, 'utf8') } }
  }

  test('a certificate and its key pass', () => {
    const a = files('pair-a')
    expect(() => checkPemPair(a.pair, a.cert, a.key)).not.toThrow()
  })

  test("another certificate's key is said as such, naming both files", () => {
    const [a, b] = [files('pair-a'), files('pair-b')]
    expect(() => checkPemPair({ cert: a.pair.cert, key: b.pair.key }, a.cert, b.key)).toThrow(
      `--tls-key ${b.key} is not the key of the certificate in --tls-cert ${a.cert}`
    )
  })

  test('a truncated certificate names both files as no PEM pair', () => {
    const a = files('pair-a')
    expect(() => checkPemPair({ cert: a.pair.cert.slice(0, 300), key: a.pair.key }, a.cert, a.key)).toThrow(
      `--tls-cert ${a.cert} and --tls-key ${a.key} are not a PEM certificate and its key`
    )
  })
})
