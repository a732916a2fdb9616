// What any stored document may hold: keys a path can name, without brackets or control characters, well-formed text.
import { describe, expect, test } from 'bun:test'
import type { ScimError } from '../../src/scim/errors'
import { checkStorable, checkStorableText } from '../../src/scim/storable'
import { Rng } from '../helpers/generate'

function verdict(check: () => void): string {
  try {
    check()
    return 'ok'
  } catch (err) {
    return (err as ScimError).scimType ?? 'error'
  }
}

describe('checkStorable', () => {
  test.each([
    [{ x: { 'emails[type eq "w"]': 1 } }, 'invalidPath'],
    [{ x: [{ 'k]': 1 }] }, 'invalidPath'],
    [{ 'a\nb': 1 }, 'invalidPath'],
    [{ 'urn:x': { y: 5 } }, 'invalidPath'],
    [{ 'urn:x:1.0': { y: 5 } }, 'invalidPath'],
    [{ 'urn:a:b': { C: 5 }, 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { x: 1 } }, 'ok'],
    [{ userName: '\ud800@y' }, 'invalidValue'],
    [{ userName: 'z\udc00' }, 'invalidValue'],
    [{ userName: '\u0000z' }, 'invalidValue'],
    [{ x: Number.POSITIVE_INFINITY }, 'invalidValue'],
    [{ x: { y: [1, Number.NEGATIVE_INFINITY] } }, 'invalidValue'],
    [{ x: [Number.NaN] }, 'invalidValue'],
    [{ x: -0, y: [null, 1e-300] }, 'ok'],
    [{ a: 'fine [x]', b: ['[', ']'], c: { d: 'e: "f"' } }, 'ok'],
    [{ a: 'back\\slash', emoji: '\ud83d\ude00', tab: 'a\tb' }, 'ok'],
  ])('%j → %s, by the walk and by the text check alike', (doc, expected) => {
    expect(verdict(() => checkStorable(doc))).toBe(expected)
    expect(verdict(() => checkStorableText(doc, JSON.stringify(doc)))).toBe(expected)
  })

  test('the text shortcut agrees with the walk on generated documents', () => {
    const rng = new Rng(7643)
    const pieces = ['a', 'b', '[', ']', ':', '"', '\\', '\n', '\u0000', '\ud800', '\udc00', '😀', ' ', '{', '}', ',']
    const text = () => Array.from({ length: rng.int(5) }, () => rng.pick(pieces)).join('')
    const value = (depth: number): unknown => {
      const kind = rng.int(depth > 2 ? 3 : 5)
      if (kind === 0) return text()
      if (kind === 1) return rng.pick([rng.int(100), Number.POSITIVE_INFINITY, Number.NaN])
      if (kind === 2) return null
      if (kind === 3) return Array.from({ length: rng.int(3) }, () => value(depth + 1))
      return Object.fromEntries(Array.from({ length: rng.int(3) }, () => [text(), value(depth + 1)]))
    }
    for (let i = 0; i < 5000; i++) {
      const doc = { userName: text(), x: value(0) }
      expect(verdict(() => checkStorableText(doc, JSON.stringify(doc)))).toBe(verdict(() => checkStorable(doc)))
    }
  })
})
