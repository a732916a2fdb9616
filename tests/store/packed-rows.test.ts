// Rows packed for the lookup cache come back exactly as read, or are not packed at all.
import { expect, test } from 'bun:test'
import type { RawRows, ReadRow } from '../../src/store/hot-statements'
import { packRows, unpackRows } from '../../src/store/packed-rows'

const row = (n: number, over: Partial<ReadRow> = {}): ReadRow => ({
  rowid: n,
  id: `id-${n}`,
  data: JSON.stringify({ userName: `u${n}`, note: 'tab\there, "quoted", \u0000 escaped, Ünïcödé ✓' }),
  version: n + 1,
  created: '2026-01-02T03:04:05.678Z',
  lastModified: '2026-02-03T04:05:06.789Z',
  groups: '[]',
  ...over,
})

test('empty, one-row and several-row results round-trip, groups null or JSON', () => {
  const cases: RawRows[] = [
    [],
    [row(1)],
    [row(2, { groups: null }), row(3, { groups: '[["g1","Sales"]]' }), row(4, { data: '{}' })],
  ]
  for (const raw of cases) {
    const packed = packRows(raw)
    expect(typeof packed).toBe('string')
    expect(unpackRows(packed!)).toEqual(raw)
  }
})

test('a field holding the separator is not packed, so it cannot shift the fields after it', () => {
  expect(packRows([row(1, { id: 'a\u0000b' })])).toBeUndefined()
  expect(packRows([row(1, { groups: '["\u0000"]' })])).toBeUndefined()
})
