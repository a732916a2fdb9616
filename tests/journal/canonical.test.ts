// The hashed text: canonical JSON, and the row form that verify splices from stored columns.
import { describe, expect, test } from 'bun:test'
import { createHash } from 'node:crypto'
import { canonical, chainHash, columnsOf, entryText } from '../../src/journal/canonical'

const entry = {
  seq: 7,
  tenant: 'acme',
  at: '2026-01-02T03:04:05.678Z',
  actor: 'entra "prod"',
  requestId: null,
  op: 'patch' as const,
  resourceType: 'User',
  resourceId: 'u-1',
  versionBefore: 3,
  versionAfter: 4,
  changes: [{ path: 'name.givenName', before: 'Å', after: { z: 1, a: [2, { y: null, b: true }] } }, { path: 'x' }],
  compat: ['entra.capitalisedOp'],
  cascade: true,
  prevHash: 'ab'.repeat(32),
}

describe('journal/canonical', () => {
  test('sorted keys at every depth, no whitespace, arrays in order, undefined members left out', () => {
    expect(canonical({ b: 1, a: [3, 1, { d: undefined, c: 'é' }] })).toBe('{"a":[3,1,{"c":"é"}],"b":1}')
    expect(canonical([undefined, null])).toBe('[null,null]')
  })

  test('the text spliced from stored columns is canonical(entry without hash)', () => {
    const { seq, tenant, prevHash, ...draft } = entry
    expect(entryText(columnsOf(draft, seq, tenant, prevHash))).toBe(canonical(entry))
    const bare = { ...draft, actor: null, versionBefore: null, cascade: false, changes: [] }
    expect(entryText(columnsOf(bare, seq, tenant, prevHash))).toBe(canonical({ ...bare, seq, tenant, prevHash }))
  })

  test('keys JavaScript orders by itself (array indexes, __proto__), odd values and code-unit order', () => {
    expect(canonical(JSON.parse('{"10":1,"9":2,"a":{"__proto__":{"x":1},"b":[3,{"2":0,"1":0}]}}'))).toBe(
      '{"10":1,"9":2,"a":{"__proto__":{"x":1},"b":[3,{"1":0,"2":0}]}}'
    )
    const odd = {
      z: [undefined, null, () => 1, -0, Number.NaN, 1e21],
      é: 'é',
      '\u{1F600}': 1,
      '\uFFFF': 2,
      A: {},
      a: [],
    }
    expect(canonical(odd)).toBe('{"A":{},"a":[],"z":[null,null,null,0,null,1e+21],"é":"é","\u{1F600}":1,"\uFFFF":2}')
    expect(canonical([{ b: 1, a: undefined }, 'x\u2028"\\'])).toBe('[{"b":1},"x\u2028\\"\\\\"]')
    expect(canonical({ f: () => 1, s: Symbol('s') })).toBe('{"f":null,"s":null}')
  })

  test('entries hash as they always did: journal verify accepts the entries already written', () => {
    // Pinned from the first implementation; a change here breaks every existing chain.
    const draft = {
      ...entry,
      op: 'create' as const,
      versionBefore: null,
      cascade: false,
      changes: [
        { path: 'active', after: true },
        { path: 'emails', after: [{ value: 'a@example.com', type: 'work', primary: true }] },
        { path: 'name.givenName', before: 'Å', after: { z: 1, a: [2, { y: null, b: true }] } },
        { path: 'x' },
        { path: 'odd', after: JSON.parse('{"2":"b","10":"a"}') },
      ],
    }
    const c = columnsOf(draft, 42, 'acme', 'ab'.repeat(32))
    expect(c.changes).toBe(
      '[{"after":true,"path":"active"},{"after":[{"primary":true,"type":"work","value":"a@example.com"}],"path":"emails"},' +
        '{"after":{"a":[2,{"b":true,"y":null}],"z":1},"before":"Å","path":"name.givenName"},{"path":"x"},' +
        '{"after":{"10":"a","2":"b"},"path":"odd"}]'
    )
    expect(chainHash(c.prevHash, entryText(c))).toBe('6b8873f3b6de89b76df043fd57629f69e5b9bc66f112f5e4aa3ccffb8a93245b')
  })

  test('hash = SHA-256(prevHash || canonical text), hex', () => {
    const text = canonical(entry)
    const expected = createHash('sha256')
      .update(Buffer.from(entry.prevHash + text, 'utf8'))
      .digest('hex')
    expect(chainHash(entry.prevHash, text)).toBe(expected)
  })
})
