// PATCH semantics RFC 7644 §3.5.2 spells out: complex merges, null, no-ops, value-path keys, URN keys.
import { describe, expect, test } from 'bun:test'
import { normalizePatchRequest } from '../../../src/scim/compat/normalize-patch'
import { URN_ENTERPRISE_USER, URN_PATCH_OP, URN_USER } from '../../../src/scim/constants'
import { applyPatch } from '../../../src/scim/patch/apply'
import { catchScimError } from '../../helpers/scim'
import { attribute } from '../../helpers/schema'
import { badgeAttribute, testRegistry, typeNamed, userTypeWith } from './registry'

const reg = testRegistry()
const USER = typeNamed(reg, 'User')
const ENT = URN_ENTERPRISE_USER
const ops = (...Operations: unknown[]) => normalizePatchRequest({ schemas: [URN_PATCH_OP], Operations })
const patch = (doc: Record<string, unknown>, ...o: unknown[]) => applyPatch(USER, doc, ops(...o))

const bjensen = {
  userName: 'bjensen',
  active: false,
  name: { givenName: 'Barbara', familyName: 'Jensen' },
  emails: [
    { value: 'b@work', type: 'work', primary: true },
    { value: 'b@home', type: 'home' },
  ],
  [ENT]: { department: 'Tours', manager: { value: 'm-1', displayName: 'Mgr' } },
}

describe('scim/patch add to a multi-valued attribute adds (RFC 7644 §3.5.2.1)', () => {
  // null means unassigned (RFC 7643 §2.5), as [] does: an add of nothing adds nothing. A
  // sloppy client's add of null removed every email.
  test.each([
    ['null', null],
    ['[]', []],
  ])('add emails %s keeps every email, with path or without', (_n, value) => {
    expect(patch(bjensen, { op: 'add', path: 'emails', value }).doc.emails).toEqual(bjensen.emails)
    expect(patch(bjensen, { op: 'add', value: { emails: value } }).doc.emails).toEqual(bjensen.emails)
  })

  test('replace emails null still clears them, and add of null to a single-valued attribute still clears it', () => {
    expect(patch(bjensen, { op: 'replace', path: 'emails', value: null }).doc.emails).toBeUndefined()
    expect(
      patch(bjensen, { op: 'add', path: 'userName', value: 'x' }, { op: 'add', path: 'active', value: null }).doc.active
    ).toBeUndefined()
  })
})

describe('scim/patch complex attributes: sub-attributes not in the value stay (RFC 7644 §3.5.2.3, RFC 7643 §2.5)', () => {
  test.each(['replace', 'add'])('%s path "name" {givenName: null} clears givenName only', (op) => {
    expect(patch(bjensen, { op, path: 'name', value: { givenName: null } }).doc.name).toEqual({ familyName: 'Jensen' })
  })

  test.each(['replace', 'add'])('%s without path {name: {givenName: null}} clears givenName only', (op) => {
    expect(patch(bjensen, { op, value: { name: { givenName: null } } }).doc.name).toEqual({ familyName: 'Jensen' })
  })

  test('{givenName: null, familyName: "X"} clears one and sets the other', () => {
    expect(
      patch(bjensen, { op: 'replace', path: 'name', value: { givenName: null, familyName: 'X' } }).doc.name
    ).toEqual({ familyName: 'X' })
    expect(patch(bjensen, { op: 'Replace', value: { name: { givenName: null, familyName: 'X' } } }).doc.name).toEqual({
      familyName: 'X',
    })
  })

  test('every sub-attribute null leaves the attribute unassigned', () => {
    expect(
      patch(bjensen, { op: 'replace', path: 'name', value: { givenName: null, familyName: null } }).doc.name
    ).toBeUndefined()
  })

  test('extension complex: a readOnly sub-attribute null is ignored, the manager stays', () => {
    const { doc } = patch(bjensen, { op: 'replace', path: `${ENT}:manager`, value: { displayName: null } })
    expect(doc[ENT]).toEqual(bjensen[ENT])
  })

  test('extension complex through the extension URN path: sub-attributes merge', () => {
    const { doc } = patch(bjensen, { op: 'replace', path: ENT, value: { manager: { value: 'm-1' }, department: null } })
    expect(doc[ENT]).toEqual({ manager: { value: 'm-1', displayName: 'Mgr' } })
  })

  test('a filtered element add clears a null sub-attribute and keeps the others', () => {
    const { doc } = patch(bjensen, {
      op: 'add',
      path: 'emails[type eq "home"]',
      value: { value: null, display: 'Home' },
    })
    expect(doc.emails).toEqual([bjensen.emails[0], { type: 'home', display: 'Home' }])
  })

  test('Entra quirks stay: manager as a bare string, "" clears it', () => {
    expect(patch(bjensen, { op: 'Replace', path: `${ENT}:manager`, value: 'm-2' }).doc[ENT]).toEqual({
      department: 'Tours',
      manager: { value: 'm-2' },
    })
    expect(patch(bjensen, { op: 'Replace', path: `${ENT}:manager`, value: { value: '' } }).doc[ENT]).toEqual({
      department: 'Tours',
    })
  })
})

describe('scim/patch no-ops give changed: false (RFC 7644 §3.5.2.1: no-ops SHALL NOT change the modify timestamp)', () => {
  const cases: [string, unknown[]][] = [
    ['replace with the same value', [{ op: 'replace', path: 'userName', value: 'bjensen' }]],
    ['replace active with the Entra "False" string', [{ op: 'Replace', path: 'active', value: 'False' }]],
    [
      'pathless replace with different attribute-name case',
      [{ op: 'replace', value: { USERNAME: 'bjensen', Name: { GIVENNAME: 'Barbara' } } }],
    ],
    ['a dotted path in other case', [{ op: 'replace', path: 'NAME.familyname', value: 'Jensen' }]],
    [
      'add of an existing multi-valued element',
      [{ op: 'add', path: 'emails', value: [{ Type: 'home', value: 'b@home' }] }],
    ],
    [
      'add of an existing element with its primary flag',
      [{ op: 'add', path: 'emails', value: [{ value: 'b@work', type: 'work', primary: 'True' }] }],
    ],
    ['remove of an absent attribute', [{ op: 'remove', path: 'title' }]],
    ['remove of an absent sub-attribute', [{ op: 'remove', path: 'name.middleName' }]],
    ['remove with a filter that matches nothing', [{ op: 'remove', path: 'emails[type eq "other"]' }]],
    ['remove of an absent value', [{ op: 'remove', path: 'emails', value: [{ value: 'nobody@x' }] }]],
    [
      'replace of a filtered sub-attribute with its value',
      [{ op: 'replace', path: 'emails[type eq "work"].value', value: 'b@work' }],
    ],
    [
      'pathless value-path key with the same value',
      [{ op: 'replace', value: { 'emails[type eq "work"].value': 'b@work' } }],
    ],
    ['the manager as the same bare string', [{ op: 'Replace', path: `${ENT}:manager`, value: 'm-1' }]],
    ['the extension URN path with the same values', [{ op: 'replace', path: ENT, value: { department: 'Tours' } }]],
    ['a pathless extension URN key with the same values', [{ op: 'add', value: { [ENT]: { Department: 'Tours' } } }]],
    ['an unqualified extension attribute', [{ op: 'replace', path: 'department', value: 'Tours' }]],
    ['a core-URN-qualified path', [{ op: 'replace', path: `${URN_USER}:userName`, value: 'bjensen' }]],
    ['clearing an unassigned attribute with null', [{ op: 'replace', path: 'nickName', value: null }]],
    [
      'replace of the manager with its value only',
      [{ op: 'replace', path: `${ENT}:manager`, value: { value: 'm-1' } }],
    ],
    [
      'the manager as a bare string inside the extension object',
      [{ op: 'replace', path: ENT, value: { manager: 'm-1' } }],
    ],
    ['replace of a complex attribute with {}', [{ op: 'replace', path: 'name', value: {} }]],
    [
      'complex replace with the same sub-attributes',
      [{ op: 'replace', path: 'name', value: { familyName: 'Jensen' } }],
    ],
    [
      'a no-op add followed by a no-op remove',
      [
        { op: 'add', path: 'name.givenName', value: 'Barbara' },
        { op: 'remove', path: 'title' },
      ],
    ],
  ]
  test.each(cases)('%s', (_name, o) => {
    const result = patch(bjensen, ...o)
    expect(result.doc).toEqual(bjensen)
    expect(result.changed).toBe(false)
  })

  test('replacing a multi-valued attribute with the same elements in another order changes nothing (RFC 7643 §2.4)', () => {
    expect(
      patch(bjensen, { op: 'replace', path: 'emails', value: [bjensen.emails[1], bjensen.emails[0]] }).changed
    ).toBe(false)
    expect(patch(bjensen, { op: 'replace', path: 'emails', value: [bjensen.emails[1]] }).changed).toBe(true)
  })

  test('a change back and forth inside one request is no change either', () => {
    expect(patch(bjensen, { op: 'replace', path: 'title', value: 'x' }, { op: 'remove', path: 'title' }).changed).toBe(
      false
    )
  })
})

describe('scim/patch pathless keys that are value paths (RFC 7644 §3.5.2)', () => {
  test('a value-path key applies as that path, never as a literal attribute name', () => {
    const viaKey = patch(bjensen, { op: 'replace', value: { 'emails[type eq "work"].value': 'x@work' } })
    const viaPath = patch(bjensen, { op: 'replace', path: 'emails[type eq "work"].value', value: 'x@work' })
    expect(viaKey.doc).toEqual(viaPath.doc)
    expect(Object.keys(viaKey.doc).some((k) => k.includes('['))).toBe(false)
  })

  test('a value-path key creates the element like the path does (Entra, entra-wire.md §2.2 Q7)', () => {
    const { doc } = patch({ userName: 'u' }, { op: 'add', value: { 'phoneNumbers[type eq "mobile"].value': '555' } })
    expect(doc).toEqual({ userName: 'u', phoneNumbers: [{ type: 'mobile', value: '555' }] })
  })

  test.each([
    'emails[type eq "work"',
    'emails]',
    'bad key',
    'a..b',
    'name.givenName.x',
    '[x]',
    'emails[type eq "work"]x',
  ])('the key %p is invalidPath', (key) => {
    expect(catchScimError(() => patch(bjensen, { op: 'add', value: { [key]: 'v' } })).scimType).toBe('invalidPath')
  })

  test.each([
    ['inside a complex value', { op: 'add', path: 'name', value: { 'given name': 'x' } }],
    ['inside an element', { op: 'add', path: 'emails', value: [{ value: 'a@x', 'ty[pe]': 'work' }] }],
    ['inside a filtered element', { op: 'add', path: 'emails[type eq "work"]', value: { 'x y': 1 } }],
    [
      'inside an undeclared extension object',
      { op: 'add', value: { 'urn:example:params:scim:schemas:extension:acme:2.0:User': { 'bad key': 1 } } },
    ],
    ['inside a declared extension object', { op: 'replace', path: ENT, value: { 'dept[x]': 'D' } }],
  ])('a key that is no attribute name %s is invalidPath', (_n, o) => {
    expect(catchScimError(() => patch(bjensen, o)).scimType).toBe('invalidPath')
  })
})

describe('scim/patch core schema URN keys (RFC 7643 §3)', () => {
  test('a pathless key equal to the core URN applies its attributes as top-level ones', () => {
    const { doc } = patch(bjensen, {
      op: 'replace',
      value: { [URN_USER]: { title: 'Boss', name: { givenName: null } } },
    })
    expect(doc.title).toBe('Boss')
    expect(doc.name).toEqual({ familyName: 'Jensen' })
    expect(doc[URN_USER]).toBeUndefined()
  })
})

describe('scim/patch multi-valued attributes that become empty (RFC 7643 §2.5)', () => {
  test.each([
    ['a filter', { op: 'remove', path: 'phoneNumbers[type eq "work"]' }],
    ['a value', { op: 'remove', path: 'phoneNumbers', value: [{ value: '1' }] }],
    ['a replace with []', { op: 'replace', path: 'phoneNumbers', value: [] }],
  ])('removing the last element by %s omits the attribute', (_n, o) => {
    const { doc } = patch({ userName: 'u', phoneNumbers: [{ value: '1', type: 'work' }] }, o)
    expect(doc).toEqual({ userName: 'u' })
  })
})

describe('scim/patch required sub-attributes (RFC 7643 §2.2 "required")', () => {
  const ACME = 'urn:example:params:scim:schemas:extension:acme:2.0:User'
  const ACME_USER = userTypeWith({ id: ACME, attributes: [badgeAttribute('badge', false)] })
  const withBadge = { userName: 'u', [ACME]: { badge: { number: '7', color: 'red' } } }

  test('removing the required sub-attribute is invalidValue naming it', () => {
    const err = catchScimError(() =>
      applyPatch(ACME_USER, withBadge, ops({ op: 'remove', path: `${ACME}:badge.number` }))
    )
    expect(err.scimType).toBe('invalidValue')
    expect(err.detail).toContain(`${ACME}:badge.number`)
  })

  test('adding the complex attribute without its required sub-attribute is invalidValue', () => {
    const err = catchScimError(() =>
      applyPatch(ACME_USER, { userName: 'u' }, ops({ op: 'add', path: `${ACME}:badge`, value: { color: 'blue' } }))
    )
    expect(err.scimType).toBe('invalidValue')
    expect(err.detail).toContain(`${ACME}:badge.number`)
  })

  test('each operation is checked, not only the last: a later one leaving a required part out fails with its index', () => {
    for (const [first, second] of [
      [
        { op: 'replace', path: 'displayName', value: 'd' },
        { op: 'remove', path: `${ACME}:badge.number` },
      ],
      [
        { op: 'remove', path: `${ACME}:badge.color` },
        { op: 'remove', path: 'userName' },
      ],
      [
        { op: 'add', path: `${ACME}:badge.color`, value: 'blue' },
        { op: 'replace', path: `${ACME}:badge`, value: { number: null } },
      ],
    ]) {
      const err = catchScimError(() =>
        applyPatch(
          ACME_USER,
          withBadge,
          ops(
            first,
            second,
            { op: 'add', path: `${ACME}:badge.number`, value: '8' },
            { op: 'add', path: 'userName', value: 'u' }
          )
        )
      )
      expect(err.scimType).toBe('invalidValue')
      expect(err.detail).toStartWith('operation 1 ')
    }
  })

  test('removing the whole complex attribute is fine: it is not required', () => {
    expect(applyPatch(ACME_USER, withBadge, ops({ op: 'remove', path: `${ACME}:badge` })).doc).toEqual({
      userName: 'u',
    })
  })
})

describe('scim/patch add never holds the same (type, value) twice (RFC 7643 §2.4, RFC 7644 §3.5.2.1)', () => {
  const stored = { userName: 'u', emails: [{ value: 'a@x', type: 'work', primary: true }] }

  test('an email differing only in case (emails.value is caseExact false) updates the stored one', () => {
    const out = patch(stored, { op: 'add', path: 'emails', value: [{ value: 'A@X', type: 'Work', primary: true }] })
    expect(out.doc.emails).toEqual([{ value: 'A@X', type: 'Work', primary: true }])
  })

  test('the stored email re-sent with primary true becomes primary, with no second copy', () => {
    const doc = {
      userName: 'u',
      emails: [
        { value: 'h@x', type: 'home', primary: true },
        { value: 'a@x', type: 'work', primary: false },
      ],
    }
    const out = patch(doc, { op: 'add', path: 'emails', value: [{ value: 'a@x', type: 'work', primary: true }] })
    expect(out.doc.emails).toEqual([
      { value: 'h@x', type: 'home', primary: false },
      { value: 'a@x', type: 'work', primary: true },
    ])
  })

  test('an add of exactly what is stored changes nothing', () => {
    const out = patch(stored, { op: 'add', path: 'emails', value: [{ value: 'a@x', type: 'work', primary: true }] })
    expect(out.changed).toBe(false)
  })

  test('the same address under another type, or another address, is a new element', () => {
    const out = patch(
      stored,
      { op: 'add', path: 'emails', value: [{ value: 'a@x', type: 'home' }] },
      { op: 'add', path: 'emails', value: [{ value: 'b@x', type: 'work' }] }
    )
    expect(out.doc.emails).toEqual([
      { value: 'a@x', type: 'work', primary: true },
      { value: 'a@x', type: 'home' },
      { value: 'b@x', type: 'work' },
    ])
  })

  test('a caseExact value differing in case is another element', () => {
    const urn = 'urn:example:params:scim:schemas:extension:keys:2.0:User'
    const type = userTypeWith({
      id: urn,
      attributes: [
        {
          name: 'keys',
          type: 'complex',
          multiValued: true,
          required: false,
          mutability: 'readWrite',
          returned: 'default',
          subAttributes: [attribute('value', 'string', { caseExact: true }), attribute('type', 'string')],
        },
      ],
    })
    const out = applyPatch(
      type,
      { userName: 'u', [urn]: { keys: [{ value: 'QUJD', type: 'ssh' }] } },
      ops({ op: 'add', path: `${urn}:keys`, value: [{ value: 'qujd', type: 'SSH' }] })
    )
    expect(out.doc[urn]).toEqual({
      keys: [
        { value: 'QUJD', type: 'ssh' },
        { value: 'qujd', type: 'SSH' },
      ],
    })
  })
})
