// JSON document helpers: the one case-insensitive key lookup, equality and its canonical form.
import { describe, expect, test } from 'bun:test'
import { canonicalJson, deepEqual, keyIn, valueIn } from '../../src/scim/document'

describe('scim/document', () => {
  test('keyIn prefers the exact key, then any case variant (RFC 7643 §2.1), else the key as given', () => {
    expect(keyIn({ Value: 1, value: 2 }, 'value')).toBe('value')
    expect(keyIn({ Value: 1 }, 'VALUE')).toBe('Value')
    expect(keyIn({ other: 1 }, 'Value')).toBe('Value')
    expect(keyIn('not an object', 'x')).toBe('x')
  })

  test('valueIn reads own values only, never inherited ones', () => {
    expect(valueIn({ Type: 'work' }, 'type')).toBe('work')
    expect(valueIn({}, 'constructor')).toBeUndefined()
    expect(valueIn({}, 'toString')).toBeUndefined()
  })

  test('deepEqual ignores key order and the order of array elements (RFC 7643 §2.4), counting repeats', () => {
    expect(deepEqual({ a: 1, b: [1, 2] }, { b: [2, 1], a: 1 })).toBe(true)
    expect(deepEqual([{ v: 'a', t: 'w' }, { v: 'b' }], [{ v: 'b' }, { t: 'w', v: 'a' }])).toBe(true)
    expect(deepEqual([1, 1, 2], [1, 2, 2])).toBe(false)
    expect(deepEqual({ a: 1 }, { a: 1, b: null })).toBe(false)
    expect(deepEqual([1], 1)).toBe(false)
  })

  test.each([
    [
      { b: 1, a: [3, { y: 1, x: 2 }] },
      { a: [{ x: 2, y: 1 }, 3], b: 1 },
    ],
    [
      ['a', 'b'],
      ['b', 'a'],
    ],
  ])('canonicalJson is equal exactly when deepEqual is: %p', (a, b) => {
    expect(canonicalJson(a)).toBe(canonicalJson(b))
    expect(deepEqual(a, b)).toBe(true)
  })

  test('canonicalJson tells apart what deepEqual tells apart', () => {
    expect(canonicalJson({ a: '1' })).not.toBe(canonicalJson({ a: 1 }))
    expect(canonicalJson([1, 1])).not.toBe(canonicalJson([1]))
    expect(canonicalJson({ 'a,b': 1 })).not.toBe(canonicalJson({ a: 1, b: 1 }))
  })
})
