// The input-limits policy: depth found by a linear scan, checks that name their limit.
import { describe, expect, test } from 'bun:test'
import {
  checkDepth,
  checkDocumentBytes,
  checkRequestBytes,
  DEFAULT_LIMITS,
  exponentNumberBytes,
  fitsResponse,
  LIMIT_SETTINGS,
  limitsWith,
  nestingDepth,
  serverBodyBackstop,
} from '../../src/scim/limits'
import { catchScimError } from '../helpers/scim'

describe('scim/limits', () => {
  test.each([
    ['1', 0],
    ['[]', 1],
    ['{"a":[{"b":[]}]}', 4],
    ['"[[[["', 0],
    ['{"a":"\\"[[[","b":[]}', 2],
    ['{"a":"\\\\","b":[[]]}', 3],
    ['["\\\\\\"[["]', 1],
    ['[[[', 3],
    ['"never closed [[[', 0],
  ])('nestingDepth(%p) is %p: brackets inside strings, escaped quotes included, do not count', (text, depth) => {
    expect(nestingDepth(text)).toBe(depth)
  })

  test('the scan is linear and stops past the limit: 1,000,000 levels are no problem', () => {
    const text = '['.repeat(1_000_000) + ']'.repeat(1_000_000)
    expect(nestingDepth(text, 64)).toBe(65)
    expect(nestingDepth(text)).toBe(1_000_000)
  })

  test('over the depth limit is 400 invalidSyntax naming the limit and its flag', () => {
    const limits = limitsWith({ maxDepth: 10 })
    expect(() => checkDepth('['.repeat(10) + ']'.repeat(10), limits)).not.toThrow()
    const err = catchScimError(() => checkDepth('['.repeat(11) + ']'.repeat(11), limits))
    expect([err.status, err.scimType]).toEqual([400, 'invalidSyntax'])
    expect(err.detail).toContain('10 levels (max-depth)')
  })

  test('sizes over their limit are 413 without a scimType (RFC 7644 defines none for size)', () => {
    const limits = limitsWith({ maxRequestBytes: 100, maxDocumentBytes: 50 })
    expect(() => checkRequestBytes(100, limits)).not.toThrow()
    const req = catchScimError(() => checkRequestBytes(101, limits))
    expect([req.status, req.scimType, req.detail]).toEqual([
      413,
      undefined,
      'request body exceeds the limit of 100 bytes (max-request-bytes)',
    ])
    expect(catchScimError(() => checkDocumentBytes(51, limits)).detail).toContain('50 bytes (max-document-bytes)')
  })

  test('a page always takes its first resource, then only what fits the budget', () => {
    const limits = limitsWith({ maxResponseBytes: 100 })
    expect(fitsResponse(0, 500, limits)).toBe(true)
    expect(fitsResponse(60, 40, limits)).toBe(true)
    expect(fitsResponse(60, 41, limits)).toBe(false)
  })

  test("every default lies within its own range, depth far below SQLite's 1,000, and Bun's backstop above ours", () => {
    for (const [name, s] of Object.entries(LIMIT_SETTINGS)) {
      expect(s.default).toBeGreaterThanOrEqual(s.min)
      expect(s.default).toBeLessThanOrEqual(s.max)
      expect(DEFAULT_LIMITS[name as keyof typeof DEFAULT_LIMITS]).toBe(s.default)
    }
    expect(LIMIT_SETTINGS.maxDepth.max).toBeLessThan(1000)
    expect(serverBodyBackstop(DEFAULT_LIMITS)).toBeGreaterThan(DEFAULT_LIMITS.maxRequestBytes)
  })

  test.each([
    // [JS value, what PostgreSQL's jsonb text writes for it]
    [1e21, '1000000000000000000000'],
    [-1.5e300, `-15${'0'.repeat(299)}`],
    [1e308, `1${'0'.repeat(308)}`],
    [5e-324, `0.${'0'.repeat(323)}5`],
    [-1.25e-7, '-0.000000125'],
    [1.7976931348623157e308, `17976931348623157${'0'.repeat(292)}`],
  ])('exponentNumberBytes counts %p at its plain decimal length and the space before it', (n, plain) => {
    const json = JSON.stringify({ a: [n] })
    expect(exponentNumberBytes(json)).toBe(plain.length + 1 - String(n).length)
  })

  test('exponentNumberBytes: numbers JavaScript writes out, and text in strings, cost nothing', () => {
    expect(exponentNumberBytes(JSON.stringify({ a: [1e20, 1.5e-6, 0, -0.000001, 123.456] }))).toBe(0)
    expect(exponentNumberBytes(JSON.stringify({ '1e+308': '1e+308', s: 'x\\"2e-9"\\', t: ['"', '5e+99'] }))).toBe(0)
    // Outside strings again after them, one of each is counted.
    expect(exponentNumberBytes(JSON.stringify({ s: '"1e+30"', n: 1e30, t: ['\\'], m: 1e-7 }))).toBe(
      31 + 1 - 5 + (9 + 1 - 4)
    )
  })
})
