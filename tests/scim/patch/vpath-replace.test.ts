// replace on `attr[filter]` merges the value into every matched element (RFC 7644 §3.5.2.3, RFC 7643 §2.5).
import { describe, expect, test } from 'bun:test'
import { normalizePatchRequest } from '../../../src/scim/compat/normalize-patch'
import { URN_PATCH_OP } from '../../../src/scim/constants'
import { applyPatch } from '../../../src/scim/patch/apply'
import { catchScimError } from '../../helpers/scim'
import { badgeAttribute, testRegistry, typeNamed, userTypeWith } from './registry'

const USER = typeNamed(testRegistry(), 'User')
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'
const ACME = 'urn:example:params:scim:schemas:extension:acme:2.0:User'
const ACME_USER = userTypeWith({ id: ACME, attributes: [badgeAttribute('badges', true)] })
const ops = (...Operations: unknown[]) => normalizePatchRequest({ schemas: [URN_PATCH_OP], Operations })
const emails = () => [
  { value: 'w@x', type: 'work', primary: true },
  { value: 'h@x', type: 'home' },
]

describe('scim/patch replace attr[filter] merges into the matched elements', () => {
  test.each(['replace', 'Replace'])('%s {primary: false} keeps value and type', (op) => {
    const out = applyPatch(
      USER,
      { userName: 'u', emails: emails() },
      ops({ op, path: 'emails[type eq "work"]', value: { primary: false } })
    )
    expect(out.doc.emails).toEqual([
      { value: 'w@x', type: 'work', primary: false },
      { value: 'h@x', type: 'home' },
    ])
  })

  test('Entra\'s "False" string is coerced inside the merge', () => {
    const out = applyPatch(
      USER,
      { userName: 'u', emails: emails() },
      ops({ op: 'Replace', path: 'emails[type eq "work"]', value: { primary: 'False' } })
    )
    expect(out.doc.emails).toEqual([
      { value: 'w@x', type: 'work', primary: false },
      { value: 'h@x', type: 'home' },
    ])
  })

  test('a pathless value keyed by the value path merges the same way', () => {
    const out = applyPatch(
      USER,
      { userName: 'u', emails: emails() },
      ops({ op: 'Replace', value: { 'emails[type eq "work"]': { primary: false } } })
    )
    expect(out.doc.emails).toEqual([
      { value: 'w@x', type: 'work', primary: false },
      { value: 'h@x', type: 'home' },
    ])
  })

  test('{primary: null} unassigns primary only; the element stays', () => {
    const out = applyPatch(
      USER,
      { userName: 'u', emails: emails() },
      ops({ op: 'replace', path: 'emails[type eq "work"]', value: { primary: null } })
    )
    expect(out.doc.emails).toEqual([
      { value: 'w@x', type: 'work' },
      { value: 'h@x', type: 'home' },
    ])
  })

  test('every matched element gets the merge', () => {
    const doc = {
      userName: 'u',
      emails: [
        { value: 'a@x', type: 'work' },
        { value: 'b@x', type: 'work' },
        { value: 'h@x', type: 'home' },
      ],
    }
    const out = applyPatch(
      USER,
      doc,
      ops({ op: 'replace', path: 'emails[type eq "work"]', value: { display: 'Work' } })
    )
    expect(out.doc.emails).toEqual([
      { value: 'a@x', type: 'work', display: 'Work' },
      { value: 'b@x', type: 'work', display: 'Work' },
      { value: 'h@x', type: 'home' },
    ])
  })

  test('primary: true in the merged value demotes the other primaries (RFC 7644 §3.5.2)', () => {
    const doc = {
      userName: 'u',
      emails: [
        { value: 'w@x', type: 'work', primary: true },
        { value: 'h@x', type: 'home' },
      ],
    }
    const out = applyPatch(USER, doc, ops({ op: 'replace', path: 'emails[type eq "home"]', value: { primary: true } }))
    expect(out.doc.emails).toEqual([
      { value: 'w@x', type: 'work', primary: false },
      { value: 'h@x', type: 'home', primary: true },
    ])
  })

  // An element with no sub-attributes is unassigned (RFC 7643 §2.5), as an emptied single-valued
  // complex attribute is: kept, it would be served as `{}` that no filter can address again.
  test('an element the merge leaves with no sub-attributes is removed; one with some left stays', () => {
    const doc = {
      userName: 'u',
      emails: [
        { value: 'a@x', type: 'work' },
        { type: 'work', display: 'D' },
        { value: 'h@x', type: 'home' },
      ],
    }
    const out = applyPatch(
      USER,
      doc,
      ops({ op: 'replace', path: 'emails[type eq "work"]', value: { type: null, display: null } })
    )
    expect(out.doc.emails).toEqual([{ value: 'a@x' }, { value: 'h@x', type: 'home' }])
  })

  test('in an extension: badges[color eq "red"] merges and keeps number', () => {
    const doc = {
      userName: 'u',
      [ACME]: {
        badges: [
          { number: '1', color: 'red' },
          { number: '2', color: 'blue' },
        ],
      },
    }
    const out = applyPatch(
      ACME_USER,
      doc,
      ops({ op: 'replace', path: `${ACME}:badges[color eq "red"]`, value: { color: 'green' } })
    )
    expect(out.doc[ACME]).toEqual({
      badges: [
        { number: '1', color: 'green' },
        { number: '2', color: 'blue' },
      ],
    })
  })

  test('clearing a required sub-attribute of a matched element is 400 invalidValue, not a dropped element', () => {
    const doc = { userName: 'u', [ACME]: { badges: [{ number: '1', color: 'red' }] } }
    const err = catchScimError(() =>
      applyPatch(
        ACME_USER,
        doc,
        ops({ op: 'replace', path: `${ACME}:badges[color eq "red"]`, value: { number: null } })
      )
    )
    expect(err.status).toBe(400)
    expect(err.scimType).toBe('invalidValue')
    expect(doc[ACME].badges).toEqual([{ number: '1', color: 'red' }])
  })

  // The filtered merge is the same as `manager`'s: a new `value` makes a `$ref`/display not re-sent stale.
  test.each([
    ['replace', 'manager[value eq "m1"]', { value: 'm2' }],
    ['add', 'manager[value eq "m1"]', { value: 'm2' }],
    ['replace', 'manager[value eq "m1"].value', 'm2'],
  ])('%s %s to another manager drops the old $ref and displayName', (op, path, value) => {
    const doc = { userName: 'u', [ENTERPRISE]: { manager: { value: 'm1', $ref: '../Users/m1', displayName: 'Boss' } } }
    const out = applyPatch(USER, doc, ops({ op, path: `${ENTERPRISE}:${path}`, value }))
    expect(out.doc[ENTERPRISE]).toEqual({ manager: { value: 'm2' } })
  })
})
