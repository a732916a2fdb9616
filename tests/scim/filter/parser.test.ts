// RFC 7644 §3.4.2.2 filter grammar: precedence, the RFC's own examples, and error positions.
import { describe, expect, test } from 'bun:test'
import { parseFilter, parseValueFilter, printFilter } from '../../../src/scim/filter'
import { ScimError } from '../../../src/scim/errors'
import rfcExamples from '../../fixtures/filter/rfc7644-3.4.2.2.json'
import errorCases from '../../fixtures/filter/errors.json'
import { Rng } from '../../helpers/generate'

const canon = (text: string): string => printFilter(parseFilter(text))

describe('scim/filter/parser', () => {
  test.each(rfcExamples)('parses the RFC 7644 §3.4.2.2 example %#', ({ filter, printed }) => {
    expect(canon(filter)).toBe(printed)
  })

  test.each(rfcExamples)('print is a fixed point for RFC example %#', ({ filter }) => {
    expect(canon(canon(filter))).toBe(canon(filter))
  })

  test.each([
    ['a pr or b pr and c pr', 'a pr or b pr and c pr'],
    ['(a pr or b pr) and c pr', '(a pr or b pr) and c pr'],
    ['a pr and (b pr or c pr)', 'a pr and (b pr or c pr)'],
    ['(a pr and b pr) or c pr', 'a pr and b pr or c pr'],
    ['not (a pr) and b pr', 'not (a pr) and b pr'],
    ['not (a pr or b pr) or c pr', 'not (a pr or b pr) or c pr'],
    ['((((a pr))))', 'a pr'],
    ['a pr AND b pr Or c pr', 'a pr and b pr or c pr'],
  ])('binds and tighter than or, not to its group (RFC 7644 §3.4.2.2): %s', (input, printed) => {
    expect(canon(input)).toBe(printed)
  })

  test('and/or chains fold left into binary nodes', () => {
    const node = parseFilter('a pr and b pr and c pr')
    expect(node.kind).toBe('and')
    if (node.kind !== 'and') return
    expect(node.left.kind).toBe('and')
    expect(node.right).toEqual({ kind: 'present', path: { name: 'c' } })
  })

  test('operators and keywords are case-insensitive; values keep JSON types (RFC 7644 §3.4.2.2)', () => {
    expect(parseFilter('active EQ True')).toEqual({ kind: 'compare', path: { name: 'active' }, op: 'eq', value: true })
    expect(parseFilter('x ge -1.5e2')).toMatchObject({ value: -150 })
    expect(parseFilter('x eq null')).toMatchObject({ value: null })
    expect(parseFilter('x eq "O\\u0027Malley"')).toMatchObject({ value: "O'Malley" })
  })

  test('URN-qualified paths split at the last colon (RFC 7644 §3.10)', () => {
    expect(parseFilter('urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value pr')).toEqual({
      kind: 'present',
      path: { uri: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User', name: 'manager', sub: 'value' },
    })
  })

  test('Entra\'s emails[type eq "work"].value eq "x" reads as one element with both conditions', () => {
    expect(canon('emails[type eq "work"].value eq "x"')).toBe('emails[type eq "work" and value eq "x"]')
  })

  test('value filters accept and/or/not inside but no nested brackets', () => {
    expect(printFilter(parseValueFilter('type eq "work" and not (primary eq true)'))).toBe(
      'type eq "work" and not (primary eq true)'
    )
    expect(() => parseValueFilter('a[b pr]')).toThrow(ScimError)
  })

  test('nesting deeper than maxNodes is invalidFilter, never a RangeError, in filters and value filters', () => {
    const limits = { maxLength: 1_000_000, maxNodes: 200 }
    for (const text of [
      `${'('.repeat(100_000)}a pr${')'.repeat(100_000)}`,
      `${'not ('.repeat(50_000)}a pr${')'.repeat(50_000)}`,
    ]) {
      for (const parse of [parseFilter, parseValueFilter]) {
        let caught: unknown
        try {
          parse(text, limits)
        } catch (err) {
          caught = err
        }
        expect(caught).toBeInstanceOf(ScimError)
        expect((caught as ScimError).scimType).toBe('invalidFilter')
        expect((caught as ScimError).detail).toContain('nested more than 200')
      }
    }
    // Depth at the limit still parses: 199 groups around one comparison.
    expect(canon(`${'('.repeat(199)}a pr${')'.repeat(199)}`)).toBe('a pr')
  })

  test('parseValueFilter applies the same length limit as parseFilter', () => {
    expect(() => parseValueFilter('a pr', { maxLength: 3, maxNodes: 200 })).toThrow(/longer than 3/)
    expect(() => parseValueFilter(`value eq "${'x'.repeat(5000)}"`)).toThrow(/longer than 4096/)
  })

  test('limits: maxLength and maxNodes give invalidFilter', () => {
    expect(() => parseFilter(`${'a pr or '.repeat(10)}a pr`, { maxLength: 4096, maxNodes: 5 })).toThrow(/more than 5/)
    expect(() => parseFilter('a pr', { maxLength: 3, maxNodes: 200 })).toThrow(/longer than 3/)
  })

  test.each(errorCases)('rejects %p with invalidFilter and its position', ({ filter, scimType, position }) => {
    let caught: unknown
    try {
      parseFilter(filter)
    } catch (err) {
      caught = err
    }
    expect(caught).toBeInstanceOf(ScimError)
    const err = caught as ScimError
    expect(err.scimType).toBe(scimType as 'invalidFilter')
    expect(err.status).toBe(400)
    if (position !== null) expect(err.detail).toContain(`position ${position}`)
  })
})

describe('scim/filter/parser one-comparison shortcut', () => {
  /** Parses through the tokenizer: a parenthesised filter never takes the shortcut and has the same AST. */
  const viaTokenizer = (filter: string) => parseFilter(`(${filter})`)
  const outcome = (parse: () => unknown) => {
    try {
      return { ast: parse() }
    } catch (err) {
      return { error: (err as ScimError).scimType }
    }
  }

  test('gives the AST the tokenizer gives, or the same error, for generated one-comparison filters', () => {
    const rng = new Rng(11)
    const attrs = [
      'userName',
      'EXTERNALID',
      'name.givenName',
      '$ref',
      'not',
      'Or',
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department',
      'emails.value',
      'a.b.c',
      'urn:x',
      '9lives',
    ]
    const ops = ['eq', 'EQ', 'Ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le', 'pr', 'xx']
    const values = [
      '"bjensen"',
      '""',
      '"a b+c@example.com"',
      '"Ünïcödé ✓"',
      '"a\\"b"',
      '"tab\there"',
      '"x\u0041"',
      '"a\ud800b"',
      '"\udc00"',
      'true',
      '42',
      'bare',
      '"unterminated',
    ]
    const spaces = [' ', '  ', '\t', '\n ']
    for (let i = 0; i < 3000; i++) {
      const filter = `${rng.chance(0.2) ? ' ' : ''}${rng.pick(attrs)}${rng.pick(spaces)}${rng.pick(ops)}${rng.pick(spaces)}${rng.pick(values)}${rng.chance(0.2) ? ' ' : ''}`
      expect(outcome(() => parseFilter(filter))).toEqual(outcome(() => viaTokenizer(filter)))
    }
  })

  test('a control character inside the string is still rejected, as JSON does', () => {
    expect(() => parseFilter('userName eq "a\u0001b"')).toThrow(ScimError)
    expect(() => parseFilter('userName eq "a\tb"')).toThrow(/invalid escape|position/)
  })

  // A search body's JSON can hold a raw lone surrogate; no stored text does, and the stores bind it
  // as U+FFFD, so taken as a value it would match text it is not.
  test('a lone surrogate inside the string is invalidFilter, as the tokenizer says', () => {
    for (const filter of ['userName eq "a\ud800"', 'externalId eq "\udc00x"', 'title co "\ud83d"'])
      expect(outcome(() => parseFilter(filter))).toEqual({ error: 'invalidFilter' })
  })
})
