// The attribute-level diff of two stored documents, and rebuilding a document from changes.
import { describe, expect, test } from 'bun:test'
import { diffDocuments, memberChanges, memberOfPath, memberPath, putPath } from '../../src/journal/diff'

const EXT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'

describe('journal/diff', () => {
  test('leaf paths of complex attributes, sorted; unchanged ones left out', () => {
    expect(
      diffDocuments(
        { userName: 'a', name: { givenName: 'A', familyName: 'F' }, active: true },
        { userName: 'a', name: { givenName: 'B', familyName: 'F' }, active: false, title: 'T' }
      )
    ).toEqual([
      { path: 'active', before: true, after: false },
      { path: 'name.givenName', before: 'A', after: 'B' },
      { path: 'title', after: 'T' },
    ])
  })

  test('multi-valued attributes change as a whole; a reordering is no change (RFC 7643 §2.4)', () => {
    const a = [{ value: 'x' }, { value: 'y' }]
    expect(diffDocuments({ emails: a }, { emails: [...a].reverse() })).toEqual([])
    expect(diffDocuments({ emails: a }, { emails: [{ value: 'x' }] })).toEqual([
      { path: 'emails', before: a, after: [{ value: 'x' }] },
    ])
  })

  test('extension attributes are URN:attr.sub', () => {
    expect(diffDocuments({}, { [EXT]: { manager: { value: 'm' }, department: 'D' } })).toEqual([
      { path: `${EXT}:department`, after: 'D' },
      { path: `${EXT}:manager.value`, after: 'm' },
    ])
  })

  test('a create and a delete list every attribute; a password never appears, at any depth or casing', () => {
    expect(diffDocuments(undefined, { userName: 'a', Password: 'x', [EXT]: { password: 'y' } })).toEqual([
      { path: 'userName', after: 'a' },
    ])
    expect(diffDocuments({ userName: 'a' }, undefined)).toEqual([{ path: 'userName', before: 'a' }])
  })

  test('a create or a delete lists exactly what comparing with an empty document finds', () => {
    const doc = {
      userName: 'a',
      active: false,
      nickName: null,
      title: undefined,
      name: { givenName: 'G', familyName: undefined, middleName: null },
      addresses: [{ type: 'work', locality: 'L' }],
      empty: {},
      Password: 'x',
      [EXT]: { department: 'D', manager: { value: 'm', displayName: 'M' }, passWord: 'y' },
    }
    expect(diffDocuments(undefined, doc)).toEqual(diffDocuments({}, doc))
    expect(diffDocuments(doc, undefined)).toEqual(diffDocuments(doc, {}))
    expect(diffDocuments(undefined, doc).map((c) => c.path)).toEqual([
      'active',
      'addresses',
      'name.givenName',
      'name.middleName',
      'nickName',
      `${EXT}:department`,
      `${EXT}:manager.displayName`,
      `${EXT}:manager.value`,
      'userName',
    ])
  })

  test('a value that changes kind is one change at its path', () => {
    expect(diffDocuments({ name: 'flat' }, { name: { givenName: 'G' } })).toEqual([
      { path: 'name', before: 'flat', after: { givenName: 'G' } },
    ])
  })

  test('members as members[value eq "id"] paths, ids with quotes round-trip', () => {
    expect(
      memberChanges([
        { id: 'a"b', type: 'User', added: true },
        { id: 'c', type: 'Group', added: false },
      ])
    ).toEqual([
      { path: 'members[value eq "a\\"b"]', after: { value: 'a"b', type: 'User' } },
      { path: 'members[value eq "c"]', before: { value: 'c', type: 'Group' } },
    ])
    expect(memberOfPath(memberPath('a"b'))).toBe('a"b')
    expect(memberOfPath('members')).toBeUndefined()
  })

  test('putPath inverts the diff: before-values rebuild the old document, after-values the new', () => {
    const before = {
      userName: 'a',
      name: { givenName: 'A' },
      [EXT]: { manager: { value: 'm' } },
      emails: [{ value: 'e' }],
    }
    const after = { userName: 'b', name: { familyName: 'F' }, active: true }
    const changes = diffDocuments(before, after)
    const back = structuredClone(after) as Record<string, unknown>
    for (const c of changes) putPath(back, c.path, c.before)
    expect(back).toEqual(before)
    const forth = structuredClone(before) as Record<string, unknown>
    for (const c of changes) putPath(forth, c.path, c.after)
    expect(forth).toEqual(after)
  })
})
