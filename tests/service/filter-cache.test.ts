// Compound filters are parsed once; bare comparisons (one-off lookups) neither stay nor evict them.
import { expect, test } from 'bun:test'
import { FilterCache } from '../../src/service/filter-cache'
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
