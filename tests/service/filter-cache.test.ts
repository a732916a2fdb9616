// Compound filters are parsed once; bare comparisons (one-off lookups) neither stay nor evict them.
import { expect, test } from 'bun:test'
import { FilterCache, FilterPool } from '../../src/service/filter-cache'
import { builtinRegistry, typeOf } from '../helpers/generate'

test('a compound filter is kept across a flood of one-off comparisons, which are not', () => {
  const type = typeOf(builtinRegistry(), 'User')
  const cache = new FilterCache()
  const compound = 'userName sw "a" and active eq true'
  const first = cache.compile(type, compound)
  for (let i = 0; i < 5000; i++) cache.compile(type, `userName eq "user${i}@example.com"`)
  expect(cache.compile(type, compound)).toBe(first)
  const bare = 'externalId eq "x"'
  const once = cache.compile(type, bare)
  const again = cache.compile(type, bare)
  expect(again).not.toBe(once)
  expect(again).toEqual(once)
})

test('one byte budget holds every tenant: 1,000 filters of 199 expressions over 20 tenants stay under it', () => {
  const type = typeOf(builtinRegistry(), 'User')
  const pool = new FilterPool(1_048_576)
  const tenants = Array.from({ length: 20 }, (_, i) => pool.scope(`t${i}`))
  for (let k = 0; k < 1000; k++) {
    const text = Array.from({ length: 100 }, (_, i) => `title eq "${k}_${i}"`).join(' or ')
    tenants[k % 20]!.compile(type, text)
  }
  expect(pool.bytes).toBeGreaterThan(900_000)
  expect(pool.bytes).toBeLessThanOrEqual(1_048_576)
  expect(pool.misses).toBe(1000)
})

test('tenants share the budget, not the entries: the same text is compiled for each, and hits are counted', () => {
  const type = typeOf(builtinRegistry(), 'User')
  const pool = new FilterPool(1_048_576)
  const [a, b] = [pool.scope('a'), pool.scope('b')]
  const text = 'userName sw "a" and active eq true'
  const fromA = a.compile(type, text)
  expect(b.compile(type, text)).not.toBe(fromA)
  expect(a.compile(type, text)).toBe(fromA)
  expect([pool.hits, pool.misses]).toEqual([1, 2])
  // A rebuilt tenant (its schemas may have changed) does not see its old build's entries.
  expect(pool.scope('a').compile(type, text)).not.toBe(fromA)
})
