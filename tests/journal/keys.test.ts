// Keys in canonical order: the insertion sort agrees with Array.prototype.sort on every string.
import { describe, expect, test } from 'bun:test'
import { sortedKeys, sortKeys } from '../../src/journal/keys'

describe('journal/keys', () => {
  test('orders as the built-in sort does: by UTF-16 code units, not by locale or code point', () => {
    const keys = ['b', 'B', 'a', '', 'ab', 'aB', 'Z', 'é', 'e\u0301', '\u{1F600}', '\uFFFF', '10', '9', '_', 'urn:x']
    expect(sortKeys([...keys])).toEqual([...keys].sort())
    // An astral character (a surrogate pair, 0xD83D…) sorts before U+FFFF by code unit.
    expect(sortKeys(['\uFFFF', '\u{1F600}'])).toEqual(['\u{1F600}', '\uFFFF'])
  })

  test('agrees with the built-in sort on many shuffled key sets', () => {
    const alphabet = ['a', 'b', 'A', 'z', '0', '.', ':', 'é', '\u{1F600}']
    let seed = 7
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648
      return seed
    }
    for (let round = 0; round < 500; round++) {
      const keys = Array.from({ length: next() % 24 }, () =>
        Array.from({ length: 1 + (next() % 4) }, () => alphabet[next() % alphabet.length]).join('')
      )
      expect(sortKeys([...keys])).toEqual([...keys].sort())
    }
  })

  test('a large key set sorts the same way (the built-in sort past a handful of keys)', () => {
    const keys = Array.from({ length: 2000 }, (_, i) => `k${(i * 7919) % 2000}`)
    expect(sortKeys([...keys])).toEqual([...keys].sort())
  })

  test("an object's keys, array-index keys included", () => {
    expect(sortedKeys({ userName: 1, active: 2, 10: 3, 9: 4, Name: 5 })).toEqual([
      '10',
      '9',
      'Name',
      'active',
      'userName',
    ])
  })
})
