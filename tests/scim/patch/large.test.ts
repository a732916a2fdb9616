// Multi-valued add and remove over large attributes (RFC 7644 §3.5.2.1, §3.5.2.2): linear, not quadratic.
import { describe, expect, test } from 'bun:test'
import { normalizePatchRequest } from '../../../src/scim/compat/normalize-patch'
import { URN_PATCH_OP } from '../../../src/scim/constants'
import { applyPatch } from '../../../src/scim/patch/apply'
import { testRegistry, typeNamed } from './registry'

const USER = typeNamed(testRegistry(), 'User')
const ops = (...Operations: unknown[]) => normalizePatchRequest({ schemas: [URN_PATCH_OP], Operations })
const N = 20_000
const email = (i: number) => ({ value: `user${i}@example.com`, type: i % 2 === 0 ? 'work' : 'home' })

// With a pairwise comparison these take minutes (20,000 × 20,000 deep comparisons); hashed, well under a second.
describe('scim/patch large multi-valued attributes', () => {
  const doc = { userName: 'u', emails: Array.from({ length: N }, (_, i) => email(i)) }

  test('add of 20,000 elements to 20,000 appends the new ones once and skips the half already present', () => {
    // Elements N/2 … 3N/2: the first half already exists (written with other key order and case).
    const value = Array.from({ length: N }, (_, j) => {
      const e = email(N / 2 + j)
      return j % 3 === 0 ? { Type: e.type, VALUE: e.value } : e
    })
    const { doc: out, changed } = applyPatch(USER, doc, ops({ op: 'add', path: 'emails', value }))
    const emails = out.emails as { value: string }[]
    expect(changed).toBe(true)
    expect(emails).toHaveLength(N + N / 2)
    expect(emails.slice(0, N)).toEqual(doc.emails)
    expect(emails[N]).toEqual(email(N))
    expect(emails.at(-1)).toEqual(email(N + N / 2 - 1))
    expect(new Set(emails.map((e) => e.value)).size).toBe(emails.length)
  })

  test('remove with a value of 20,000 elements from 20,000 drops exactly those, matching partially described elements', () => {
    // Even ones by value only (a partial description), plus 5,000 that are not there.
    const value = [
      ...Array.from({ length: N / 2 }, (_, k) => ({ value: email(2 * k).value })),
      ...Array.from({ length: N / 4 }, (_, k) => email(N + k)),
    ]
    const { doc: out } = applyPatch(USER, doc, ops({ op: 'remove', path: 'emails', value }))
    expect(out.emails).toEqual(doc.emails.filter((_, i) => i % 2 === 1))
  })

  test('add of elements all present is a no-op', () => {
    const result = applyPatch(USER, doc, ops({ op: 'add', path: 'emails', value: doc.emails.slice().reverse() }))
    expect(result.changed).toBe(false)
  })
})
