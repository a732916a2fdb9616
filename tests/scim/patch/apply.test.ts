// applyPatch invariants: atomicity, purity, `changed`, and the member delta (RFC 7644 §3.5.2).
import { catchScimError } from '../../helpers/scim'
import { describe, expect, test } from 'bun:test'
import { normalizePatchRequest } from '../../../src/scim/compat/normalize-patch'
import { URN_PATCH_OP } from '../../../src/scim/constants'
import { matchesElement } from '../../../src/scim/filter/evaluate'
import { applyPatch } from '../../../src/scim/patch/apply'
import { createRegistry } from '../../../src/scim/schema/registry'
import type { SchemaDocument } from '../../../src/scim/schema/types'
import { testRegistry, typeNamed } from './registry'
import { attribute } from '../../helpers/schema'

const reg = testRegistry()
const USER = typeNamed(reg, 'User')
const GROUP = typeNamed(reg, 'Group')
// A company extension with an immutable attribute (no built-in top-level attribute is immutable).
const ACME = 'urn:example:params:scim:schemas:extension:acme:2.0:User'
const acmeSchema: SchemaDocument = {
  id: ACME,
  attributes: [attribute('badge', 'integer', { mutability: 'immutable' })],
}
const ACME_USER = typeNamed(
  createRegistry(
    [...reg.schemas.map((s) => s.document), acmeSchema],
    reg.resourceTypes.map((t) =>
      t.name === 'User'
        ? {
            ...t.document,
            schemaExtensions: [...(t.document.schemaExtensions ?? []), { schema: ACME, required: false }],
          }
        : t.document
    )
  ),
  'User'
)
const ops = (...Operations: unknown[]) => normalizePatchRequest({ schemas: [URN_PATCH_OP], Operations })

describe('scim/patch/apply', () => {
  test('all or nothing: the second op fails, the input is untouched and the error names index 1 (RFC 7644 §3.5.2)', () => {
    const doc = { userName: 'u', nickName: 'n', emails: [{ value: 'a@x', type: 'work' }] }
    const snapshot = structuredClone(doc)
    const err = catchScimError(() =>
      applyPatch(
        USER,
        doc,
        ops(
          { op: 'replace', path: 'nickName', value: 'changed' },
          { op: 'remove', path: 'members[value eq "x"]' },
          { op: 'add', path: 'title', value: 't' }
        )
      )
    )
    expect(err.detail).toStartWith('operation 1 (remove "members[value eq \\"x\\"]"): ')
    expect(doc).toEqual(snapshot)
  })

  test('the error of a failing op keeps its scimType and status', () => {
    const err = catchScimError(() =>
      applyPatch(
        USER,
        { userName: 'u' },
        ops({ op: 'add', path: 'title', value: 't' }, { op: 'replace', path: 'id', value: 'x' })
      )
    )
    expect(err.status).toBe(400)
    expect(err.scimType).toBe('mutability')
    expect(err.detail).toStartWith('operation 1 (replace "id")')
  })

  test('pathless errors name the op without a path', () => {
    const err = catchScimError(() =>
      applyPatch(USER, { userName: 'u' }, ops({ op: 'replace', value: { active: 'maybe' } }))
    )
    expect(err.scimType).toBe('invalidValue')
    expect(err.detail).toStartWith('operation 0 (replace): ')
  })

  test('the returned document is a copy; the input is never mutated on success', () => {
    const doc = { userName: 'u', name: { givenName: 'g' } }
    const result = applyPatch(USER, doc, ops({ op: 'replace', path: 'name.givenName', value: 'h' }))
    expect(doc.name.givenName).toBe('g')
    expect(result.doc).toEqual({ userName: 'u', name: { givenName: 'h' } })
    expect(result.changed).toBe(true)
  })

  test("a pathless value's echoed id, schemas, meta and groups are ignored (Okta; RFC 7644 §3.5.2.3)", () => {
    const doc = { userName: 'u', title: 'old' }
    const value = { ID: 'x', schemas: [], meta: {}, groups: [{ value: 'g' }], title: 'new' }
    expect(applyPatch(USER, doc, ops({ op: 'replace', value })).doc).toEqual({ userName: 'u', title: 'new' })
  })

  test('changed is false when the result deep-equals the input and there are no member ops', () => {
    const doc = { userName: 'u', active: false }
    expect(applyPatch(USER, doc, ops({ op: 'Replace', path: 'active', value: 'False' })).changed).toBe(false)
  })

  test('changed is true for a group whose only change is a member op', () => {
    const result = applyPatch(
      GROUP,
      { displayName: 'g' },
      ops({ op: 'Remove', path: 'members', value: [{ value: 'u1' }] })
    )
    expect(result.changed).toBe(true)
    expect(result.doc).toEqual({ displayName: 'g' })
  })

  test('repeating a filtered removal is idempotent (Entra retries, entra-wire.md §2.4)', () => {
    const doc = {
      userName: 'u',
      emails: [
        { value: 'a@x', type: 'work' },
        { value: 'b@x', type: 'home' },
      ],
    }
    const once = applyPatch(USER, doc, ops({ op: 'remove', path: 'emails[type eq "home"]' }))
    const twice = applyPatch(USER, once.doc, ops({ op: 'remove', path: 'emails[type eq "home"]' }))
    expect(twice.doc).toEqual(once.doc)
    expect(twice.changed).toBe(false)
  })

  test('an Entra member removal with a value never becomes "clear" (entra-wire.md §1.11 DANGER)', () => {
    const { memberOps } = applyPatch(
      GROUP,
      { displayName: 'g' },
      ops({ op: 'Remove', path: 'members', value: [{ value: 'a' }, { value: 'b' }] })
    )
    expect(memberOps).toEqual([{ kind: 'remove', values: ['a', 'b'] }])
  })

  test('removeWhere carries the inner filter, testable with matchesElement', () => {
    const { memberOps } = applyPatch(
      GROUP,
      { displayName: 'g' },
      ops({ op: 'remove', path: 'members[type eq "Group" and value sw "g-"]' })
    )
    expect(memberOps).toHaveLength(1)
    const op = memberOps[0]!
    if (op.kind !== 'removeWhere') throw new Error(`expected removeWhere, got ${op.kind}`)
    expect(matchesElement(op.filter, { value: 'g-1', type: 'Group' })).toBe(true)
    expect(matchesElement(op.filter, { value: 'g-1', type: 'User' })).toBe(false)
    expect(matchesElement(op.filter, { value: 'u-1', type: 'Group' })).toBe(false)
  })

  test('member ops keep request order across operations', () => {
    const { memberOps } = applyPatch(
      GROUP,
      { displayName: 'g' },
      ops(
        { op: 'add', path: 'members', value: [{ value: 'a' }] },
        { op: 'remove', path: 'members' },
        { op: 'replace', path: 'members', value: [{ value: 'b', type: 'User' }] }
      )
    )
    expect(memberOps).toEqual([
      { kind: 'add', members: [{ value: 'a' }] },
      { kind: 'clear' },
      { kind: 'clear' },
      { kind: 'add', members: [{ value: 'b', type: 'User' }] },
    ])
  })

  test('members never appear in the group document', () => {
    const { doc } = applyPatch(
      GROUP,
      { displayName: 'g' },
      ops({ op: 'add', value: { members: [{ value: 'a' }], displayName: 'h' } })
    )
    expect(doc).toEqual({ displayName: 'h' })
  })

  test('immutable attributes: set once, then a different value or a removal is mutability (RFC 7644 §3.5.2)', () => {
    const path = `${ACME}:badge`
    const set = applyPatch(ACME_USER, { userName: 'u' }, ops({ op: 'add', path, value: 7 }))
    expect(set.doc).toEqual({ userName: 'u', [ACME]: { badge: 7 } })
    expect(applyPatch(ACME_USER, set.doc, ops({ op: 'replace', path, value: 7 })).changed).toBe(false)
    expect(catchScimError(() => applyPatch(ACME_USER, set.doc, ops({ op: 'replace', path, value: 8 }))).scimType).toBe(
      'mutability'
    )
    expect(catchScimError(() => applyPatch(ACME_USER, set.doc, ops({ op: 'remove', path }))).scimType).toBe(
      'mutability'
    )
    expect(
      catchScimError(() => applyPatch(ACME_USER, set.doc, ops({ op: 'replace', path: ACME, value: { badge: 9 } })))
        .scimType
    ).toBe('mutability')
    expect(catchScimError(() => applyPatch(ACME_USER, set.doc, ops({ op: 'remove', path: ACME }))).scimType).toBe(
      'mutability'
    )
    expect(
      catchScimError(() => applyPatch(ACME_USER, set.doc, ops({ op: 'replace', path: ACME, value: null }))).scimType
    ).toBe('mutability')
  })

  test('declared extension values are type-checked through coerceValue', () => {
    const err = catchScimError(() =>
      applyPatch(ACME_USER, { userName: 'u' }, ops({ op: 'add', path: `${ACME}:badge`, value: '7' }))
    )
    expect(err.scimType).toBe('invalidValue')
    expect(err.detail).toContain(`'${ACME}:badge'`)
  })

  test('member sub-attributes are immutable: patching one is mutability', () => {
    const err = catchScimError(() =>
      applyPatch(GROUP, { displayName: 'g' }, ops({ op: 'add', path: 'members[value eq "a"].value', value: 'b' }))
    )
    expect(err.scimType).toBe('mutability')
  })
})
