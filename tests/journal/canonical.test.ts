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

  test('hash = SHA-256(prevHash || canonical text), hex', () => {
    const text = canonical(entry)
    const expected = createHash('sha256')
      .update(Buffer.from(entry.prevHash + text, 'utf8'))
      .digest('hex')
    expect(chainHash(entry.prevHash, text)).toBe(expected)
  })
})
