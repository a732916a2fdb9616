// startIndex and count: what text is an integer, decided in one place for index and cursor paging alike.
import { describe, expect, test } from 'bun:test'
import { integerParam } from '../../src/scim/integer-param'

describe('integerParam', () => {
  test.each([
    ['1', 1],
    ['0', 0],
    ['-5', -5],
    ['+7', 7],
    ['0010', 10],
    [25, 25],
  ])('%p is %p', (raw, n) => {
    expect(integerParam(raw)).toBe(n)
  })

  test('absent or empty is undefined', () => {
    expect(integerParam(undefined)).toBeUndefined()
    expect(integerParam('')).toBeUndefined()
  })

  // Number() reads all of these as numbers: a hex literal, an exponent, padding, a fraction.
  test.each(['0x10', '1e3', ' 1', '1 ', '1.5', '1.0', 'NaN', 'Infinity', '-', '1_000', '٣'])(
    '%p is no integer',
    (raw) => {
      expect(integerParam(raw)).toBeNull()
    }
  )

  test('a JSON number (POST /.search) must be integral', () => {
    expect(integerParam(1.5)).toBeNull()
    expect(integerParam(Number.NaN)).toBeNull()
  })

  test('digits beyond the safe range clamp to it, so SQL offsets never overflow', () => {
    expect(integerParam('99999999999999999999')).toBe(Number.MAX_SAFE_INTEGER)
    expect(integerParam('-99999999999999999999')).toBe(Number.MIN_SAFE_INTEGER)
    expect(integerParam(1e300)).toBe(Number.MAX_SAFE_INTEGER)
  })
})
