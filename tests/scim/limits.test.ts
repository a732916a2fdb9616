// The input-limits policy: depth found by a linear scan, checks that name their limit.
import { describe, expect, test } from 'bun:test'
import {
  checkDepth,
  checkDocumentBytes,
  checkRequestBytes,
  DEFAULT_LIMITS,
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
})
