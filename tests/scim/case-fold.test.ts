// foldCase: Unicode full case folding (CaseFolding.txt C+F), the one fold for case-insensitive values.
import { describe, expect, test } from 'bun:test'
import { foldCase } from '../../src/scim/case-fold'

describe('scim/case-fold', () => {
  test.each([
    ['ΟΔΟΣ', 'οδος'], // final sigma: toLowerCase gives ς for one and σ for the other
    ['Straße', 'STRASSE'],
    ['\u1E9E', 'ss'], // capital sharp s
    ['ﬁnn', 'FINN'],
    ['\u212Aelvin', 'kelvin'], // Kelvin sign
    ['\u017Fun', 'SUN'], // long s
    ['ǅungla', 'ǆUNGLA'], // titlecase digraph
    ['\u13A0\u13F8', '\uAB70\u13F0'], // Cherokee folds to the uppercase letters
    ['\u0390', '\u0399\u0308\u0301'], // ΐ folds to its decomposed form
    ['µ', 'Μ'], // micro sign and capital mu
    ['ÅNGSTRÖM', '\u212Bngström'], // Ångström sign
  ])('%s and %s fold alike', (a, b) => {
    expect(foldCase(a)).toBe(foldCase(b))
  })

  test('ASCII folds as toLowerCase; different letters stay different', () => {
    expect(foldCase('BJensen@Example.COM')).toBe('bjensen@example.com')
    expect(foldCase('straße')).not.toBe(foldCase('strase'))
    expect(foldCase('ı')).not.toBe(foldCase('i')) // no Turkic (status T) mappings
  })

  test('folding is idempotent for every code point', () => {
    const bad: string[] = []
    for (let cp = 0; cp < 0x110000; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue
      const once = foldCase(String.fromCodePoint(cp))
      if (foldCase(once) !== once) bad.push(cp.toString(16))
    }
    expect(bad).toEqual([])
  })
})
