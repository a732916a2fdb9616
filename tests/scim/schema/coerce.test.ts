// Request bodies → canonical stored documents (RFC 7643 §2, RFC 7644 §3.3/§3.5.1; entra-wire.md §1.3, §1.11).
import { catchScimError } from '../../helpers/scim'
import { describe, expect, test } from 'bun:test'
import { URN_ENTERPRISE_USER, URN_GROUP, URN_LEGACY_MS_GROUP, URN_USER } from '../../../src/scim/constants'
import { coerceResource, type CoerceOptions } from '../../../src/scim/schema/coerce'
import { coerceValue } from '../../../src/scim/schema/coerce-value'
import { createRegistry } from '../../../src/scim/schema/registry'
import type { ResourceTypeDocument, SchemaDocument } from '../../../src/scim/schema/types'
import user from '../../../src/scim/schema/builtin/user.json'
import group from '../../../src/scim/schema/builtin/group.json'
import enterprise from '../../../src/scim/schema/builtin/enterprise-user.json'
import resourceTypes from '../../../src/scim/schema/builtin/resource-types.json'
import { testRegistry, typeNamed } from '../patch/registry'
import { attribute } from '../../helpers/schema'

const reg = testRegistry()
const USER = typeNamed(reg, 'User')
const GROUP = typeNamed(reg, 'Group')
const CREATE: CoerceOptions = { mode: 'create' }

// A company extension with every type and an immutable attribute (RFC 7643 §2.3, §7).
const ACME = 'urn:example:params:scim:schemas:extension:acme:2.0:User'
const acmeSchema: SchemaDocument = {
  id: ACME,
  attributes: [
    attribute('badge', 'integer', { mutability: 'immutable' }),
    attribute('score', 'decimal'),
    attribute('hired', 'dateTime'),
    { name: 'tags', type: 'string', multiValued: true, required: false, mutability: 'readWrite', returned: 'default' },
  ],
}
const acmeTypes = (resourceTypes as ResourceTypeDocument[]).map((t) =>
  t.name === 'User' ? { ...t, schemaExtensions: [...(t.schemaExtensions ?? []), { schema: ACME, required: false }] } : t
)
const ACME_USER = typeNamed(
  createRegistry([user, group, enterprise, acmeSchema] as SchemaDocument[], acmeTypes),
  'User'
)

describe('scim/schema/coerce coerceResource', () => {
  test('Entra create user (entra-wire.md §1.3): meta ignored, roles [] unassigned, schemas computed', () => {
    const body = {
      schemas: [URN_USER, URN_ENTERPRISE_USER],
      externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef',
      userName: 'Test_User_00aa00aa-bb11-cc22-dd33-44ee44ee44ee',
      active: true,
      emails: [{ primary: true, type: 'work', value: 'Test_User_11bb11bb-cc22-dd33-ee44-55ff55ff55ff@testuser.com' }],
      meta: { resourceType: 'User' },
      name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
      roles: [],
    }
    const { doc, schemas, members } = coerceResource(USER, body, CREATE)
    expect(doc).toEqual({
      externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef',
      userName: 'Test_User_00aa00aa-bb11-cc22-dd33-44ee44ee44ee',
      active: true,
      emails: [{ primary: true, type: 'work', value: 'Test_User_11bb11bb-cc22-dd33-ee44-55ff55ff55ff@testuser.com' }],
      name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
    })
    expect(schemas).toEqual([URN_USER])
    expect(members).toBeUndefined()
  })

  test('Entra "Example 2" create: nulls, the enterprise typo URN, top-level department/manager (entra-wire.md §1.3)', () => {
    const body = {
      schemas: [URN_USER, 'urn:ietf:params:scim:schemas:extension:enterprise:2.0User'],
      externalId: 'jyoung',
      userName: 'jyoung@testuser.com',
      active: true,
      addresses: null,
      displayName: 'Joy Young',
      emails: [{ type: 'work', value: 'jyoung@Contoso.com', primary: true }],
      meta: { resourceType: 'User' },
      name: { familyName: 'Young', givenName: 'Joy' },
      phoneNumbers: null,
      preferredLanguage: null,
      title: null,
      department: 'Sales',
      manager: null,
    }
    const { doc, schemas } = coerceResource(USER, body, CREATE)
    expect(doc).toEqual({
      externalId: 'jyoung',
      userName: 'jyoung@testuser.com',
      active: true,
      displayName: 'Joy Young',
      emails: [{ type: 'work', value: 'jyoung@Contoso.com', primary: true }],
      name: { familyName: 'Young', givenName: 'Joy' },
      [URN_ENTERPRISE_USER]: { department: 'Sales' },
    })
    expect(schemas).toEqual([URN_USER, URN_ENTERPRISE_USER])
  })

  test('attribute names and extension URN keys are case-insensitive → canonical casing', () => {
    const { doc, schemas } = coerceResource(
      USER,
      {
        USERNAME: 'b',
        Name: { GIVENNAME: 'B' },
        'URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ENTERPRISE:2.0:USER': { EmployeeNumber: '7' },
      },
      CREATE
    )
    expect(doc).toEqual({ userName: 'b', name: { givenName: 'B' }, [URN_ENTERPRISE_USER]: { employeeNumber: '7' } })
    expect(schemas).toEqual([URN_USER, URN_ENTERPRISE_USER])
  })

  // RFC 7643 §2.1: names are case-insensitive, so these keys name one attribute twice; the last
  // one won silently. A later key may add to what earlier ones set (Entra's dotted keys beside a
  // complex value), never change it.
  const twice: [string, Record<string, unknown>][] = [
    ['userName and USERNAME', { userName: 'a', USERNAME: 'b' }],
    ['displayName and DisplayName', { userName: 'a', displayName: 'x', DisplayName: 'y' }],
    ['name.givenName and GIVENNAME in name', { userName: 'a', name: { givenName: 'a', GIVENNAME: 'b' } }],
    ['name {givenName} and "name.givenName"', { userName: 'a', name: { givenName: 'a' }, 'name.givenName': 'b' }],
    [
      'the extension object and a URN path key',
      { userName: 'a', [URN_ENTERPRISE_USER]: { department: 'x' }, [`${URN_ENTERPRISE_USER}:department`]: 'y' },
    ],
    ['emails twice', { userName: 'a', emails: [{ value: 'a@x' }], EMAILS: [{ value: 'b@x' }] }],
  ]
  test.each(twice)('%s with different values is 400 invalidSyntax naming the attribute', (_n, body) => {
    const err = catchScimError(() => coerceResource(USER, body, CREATE))
    expect([err.status, err.scimType]).toEqual([400, 'invalidSyntax'])
    expect(err.detail).toContain('more than once')
  })

  test('keys naming one attribute with the same value, or adding to it, are one attribute', () => {
    const { doc } = coerceResource(
      USER,
      {
        userName: 'a',
        USERNAME: 'a',
        name: { givenName: 'A' },
        'name.familyName': 'B',
        [URN_ENTERPRISE_USER]: { department: 'x' },
        [`${URN_ENTERPRISE_USER}:costCenter`]: 'c',
      },
      CREATE
    )
    expect(doc).toEqual({
      userName: 'a',
      name: { givenName: 'A', familyName: 'B' },
      [URN_ENTERPRISE_USER]: { department: 'x', costCenter: 'c' },
    })
  })

  test('readOnly input (id, meta, groups) is ignored, never an error', () => {
    const { doc } = coerceResource(
      USER,
      { id: 'x', meta: { created: 'x' }, groups: [{ value: 'g' }], userName: 'u' },
      CREATE
    )
    expect(doc).toEqual({ userName: 'u' })
  })

  test('null sub-attributes are dropped (addresses[0].formatted: null, better-auth#11015); $ref: null too', () => {
    const { doc } = coerceResource(
      USER,
      {
        userName: 'u',
        addresses: [{ formatted: null, type: 'work', locality: 'X' }],
        [URN_ENTERPRISE_USER]: { manager: { value: 'm', $ref: null } },
      },
      CREATE
    )
    expect(doc).toEqual({
      userName: 'u',
      addresses: [{ type: 'work', locality: 'X' }],
      [URN_ENTERPRISE_USER]: { manager: { value: 'm' } },
    })
  })

  test('null, [] and {} mean unassigned', () => {
    const { doc } = coerceResource(
      USER,
      { userName: 'u', title: null, emails: [], name: {}, [URN_ENTERPRISE_USER]: {} },
      CREATE
    )
    expect(doc).toEqual({ userName: 'u' })
  })

  test('a single value for a multi-valued attribute is wrapped (lenient)', () => {
    expect(coerceResource(USER, { userName: 'u', emails: { value: 'a@x' } }, CREATE).doc.emails).toEqual([
      { value: 'a@x' },
    ])
  })

  test('canonicalValues are not enforced (Entra sends "untyped", entra-wire.md §5.1)', () => {
    expect(
      coerceResource(USER, { userName: 'u', emails: [{ value: 'a@x', type: 'untyped' }] }, CREATE).doc.emails
    ).toEqual([{ value: 'a@x', type: 'untyped' }])
  })

  test('active "True"/"False" strings become booleans (AzureAD/SCIMReferenceCode#21)', () => {
    expect(coerceResource(USER, { userName: 'u', active: 'True' }, CREATE).doc.active).toBe(true)
    expect(coerceResource(USER, { userName: 'u', active: 'FALSE' }, CREATE).doc.active).toBe(false)
  })

  test('the enterprise manager as a bare string becomes { value }', () => {
    expect(coerceResource(USER, { userName: 'u', [URN_ENTERPRISE_USER]: { manager: '271' } }, CREATE).doc).toEqual({
      userName: 'u',
      [URN_ENTERPRISE_USER]: { manager: { value: '271' } },
    })
  })

  const required: [string, unknown][] = [
    ['missing userName', {}],
    ['null userName', { userName: null }],
    ['empty userName', { userName: '' }],
  ]
  test.each(required)('%s is invalidValue', (_n, body) => {
    const err = catchScimError(() => coerceResource(USER, body, CREATE))
    expect(err.scimType).toBe('invalidValue')
    expect(err.detail).toContain('userName')
  })

  test('required is enforced on replace too, and Group displayName is required', () => {
    expect(
      catchScimError(() =>
        coerceResource(USER, { name: { givenName: 'x' } }, { mode: 'replace', existing: { userName: 'u' } })
      ).scimType
    ).toBe('invalidValue')
    expect(catchScimError(() => coerceResource(GROUP, { members: [] }, CREATE)).detail).toContain('displayName')
  })

  const wrong: [string, Record<string, unknown>, string][] = [
    ['a number for a string', { title: 5 }, 'title'],
    ['a numeric string for an integer', { [ACME]: { badge: '5' } }, `${ACME}:badge`],
    ['a fraction for an integer', { [ACME]: { badge: 1.5 } }, `${ACME}:badge`],
    // JSON.parse already made 2^53 + 1 into 2^53: stored, it would be another number than the one sent.
    ['an integer past 2^53 - 1', JSON.parse(`{"${ACME}": {"badge": 9007199254740993}}`), `${ACME}:badge`],
    ['an integer below -(2^53 - 1)', { [ACME]: { badge: -1e20 } }, `${ACME}:badge`],
    ['a string for a decimal', { [ACME]: { score: '1.5' } }, `${ACME}:score`],
    ['an invalid dateTime', { [ACME]: { hired: '2020-13-45T00:00:00Z' } }, `${ACME}:hired`],
    ['a date without time', { [ACME]: { hired: '2020-01-01' } }, `${ACME}:hired`],
    ['"yes" for a boolean', { active: 'yes' }, 'active'],
    ['a string for a complex attribute', { name: 'Barbara' }, 'name'],
    ['a number inside a multi-valued complex', { emails: [{ value: 7 }] }, 'emails[0].value'],
    ['an array for a single-valued attribute', { title: ['a', 'b'] }, 'title'],
    [
      'two primaries in one attribute',
      {
        emails: [
          { value: 'a', primary: true },
          { value: 'b', primary: 'True' },
        ],
      },
      'emails',
    ],
    ['a non-object extension', { [URN_ENTERPRISE_USER]: 'x' }, URN_ENTERPRISE_USER],
  ]
  test.each(wrong)('%s is invalidValue naming the attribute', (_n, extra, where) => {
    const err = catchScimError(() => coerceResource(ACME_USER, { userName: 'u', ...extra }, CREATE))
    expect(err.scimType).toBe('invalidValue')
    expect(err.detail).toContain(`'${where}`)
  })

  test('valid decimal, integer, dateTime (stored as given), multi-valued strings', () => {
    const ext = { badge: 7, score: 1.5, hired: '2020-01-01T08:00:00+02:00', tags: 'solo' }
    expect(coerceResource(ACME_USER, { userName: 'u', [ACME]: ext }, CREATE).doc[ACME]).toEqual({
      ...ext,
      tags: ['solo'],
    })
  })

  test('immutable: on replace a different value is mutability; the same value or an omission is fine', () => {
    const existing = { userName: 'u', [ACME]: { badge: 7 } }
    const err = catchScimError(() =>
      coerceResource(ACME_USER, { userName: 'u', [ACME]: { badge: 8 } }, { mode: 'replace', existing })
    )
    expect(err.scimType).toBe('mutability')
    expect(
      coerceResource(ACME_USER, { userName: 'u', [ACME]: { badge: 7 } }, { mode: 'replace', existing }).doc[ACME]
    ).toEqual({ badge: 7 })
    expect(coerceResource(ACME_USER, { userName: 'u' }, { mode: 'replace', existing }).doc[ACME]).toEqual({ badge: 7 })
  })

  test('immutable: an unset attribute may be set on replace', () => {
    expect(
      coerceResource(
        ACME_USER,
        { userName: 'u', [ACME]: { badge: 1 } },
        { mode: 'replace', existing: { userName: 'u' } }
      ).doc[ACME]
    ).toEqual({ badge: 1 })
  })

  test('undeclared attributes are stored exactly as sent, under the key as sent', () => {
    const body = {
      userName: 'u',
      name: { givenName: 'A', displayName: 'Ann A' },
      FavouriteColour: ['red', 1],
      'urn:example:params:scim:schemas:extension:other:2.0:User': { Badge: 7, nested: { x: null } },
      'urn:ietf:params:scim:schemas:extension:alertmedia:2.0:CustomAttribute:User:first_name': 'Ann',
    }
    const { doc, schemas } = coerceResource(USER, body, CREATE)
    expect(doc).toEqual({
      userName: 'u',
      name: { givenName: 'A', displayName: 'Ann A' },
      FavouriteColour: ['red', 1],
      'urn:example:params:scim:schemas:extension:other:2.0:User': { Badge: 7, nested: { x: null } },
      'urn:ietf:params:scim:schemas:extension:alertmedia:2.0:CustomAttribute:User': { first_name: 'Ann' },
    })
    expect(schemas).toEqual([
      URN_USER,
      'urn:example:params:scim:schemas:extension:other:2.0:User',
      'urn:ietf:params:scim:schemas:extension:alertmedia:2.0:CustomAttribute:User',
    ])
  })

  test('a URN-qualified key of a declared extension attribute is nested under the extension', () => {
    expect(coerceResource(USER, { userName: 'u', [`${URN_ENTERPRISE_USER}:costCenter`]: '4130' }, CREATE).doc).toEqual({
      userName: 'u',
      [URN_ENTERPRISE_USER]: { costCenter: '4130' },
    })
  })
})

describe('scim/schema/coerce work per key', () => {
  /** Calls of String.prototype.toLowerCase while `fn` runs: the case-insensitive key matching's work. */
  function lowerings(fn: () => void): number {
    const original = String.prototype.toLowerCase
    let calls = 0
    String.prototype.toLowerCase = function (this: string) {
      calls++
      return original.call(this)
    }
    try {
      fn()
    } finally {
      String.prototype.toLowerCase = original
    }
    return calls
  }

  test.each([
    ['top-level undeclared keys', (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]))],
    [
      'dotted keys into one undeclared extension',
      (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`urn:x:y:z:k${i}`, i])),
    ],
  ])('%s: matching each key against the document costs the same however many came before', (_, keys) => {
    const body = (n: number) => ({ schemas: [URN_USER], userName: 'many@example.com', ...keys(n) })
    const small = lowerings(() => coerceResource(USER, body(500), CREATE))
    const large = lowerings(() => coerceResource(USER, body(4000), CREATE))
    // Eight times the keys: about eight times the work, not sixty-four.
    expect(large / small).toBeLessThan(12)
    const doc = coerceResource(USER, body(4000), CREATE).doc
    expect(Object.keys(doc).length).toBeGreaterThanOrEqual(2)
  })

  test('keys differing only in case meet in one attribute under the first spelling; another value is refused', () => {
    const body = {
      schemas: [URN_USER],
      userName: 'c@x',
      Nick: { a: 1 },
      NICK: { b: 2 },
      foo: 1,
      FOO: 1,
      'urn:x:y:z:k': 1,
      'URN:X:Y:Z:K': 1,
    }
    const { doc } = coerceResource(USER, body, CREATE)
    expect(doc).toEqual({ userName: 'c@x', Nick: { a: 1, b: 2 }, foo: 1, 'urn:x:y:z': { k: 1 } })
    for (const [k, v] of [
      ['FOO', 2],
      ['URN:X:Y:Z:K', 2],
      ['NICK', { a: 3 }],
    ] as const) {
      const err = catchScimError(() => coerceResource(USER, { ...body, [k]: v }, CREATE))
      expect([err.status, err.scimType]).toEqual([400, 'invalidSyntax'])
    }
  })
})

describe('scim/schema/coerce groups', () => {
  test('Entra create group (entra-wire.md §1.11): legacy MS URN accepted and dropped, members: [] returned separately', () => {
    const body = {
      schemas: [URN_GROUP, URN_LEGACY_MS_GROUP],
      externalId: '8aa1a0c0',
      displayName: 'displayName',
      meta: { resourceType: 'Group' },
      members: [],
    }
    expect(coerceResource(GROUP, body, CREATE)).toEqual({
      doc: { externalId: '8aa1a0c0', displayName: 'displayName' },
      members: [],
      schemas: [URN_GROUP],
    })
  })

  test('members: value required, display/$ref dropped, type canonicalised, duplicates merged', () => {
    const body = {
      displayName: 'g',
      members: [
        { value: 'a', display: 'A', $ref: null },
        { value: 'b', type: 'user' },
        { value: 'c', type: 'GROUP' },
        { value: 'a' },
      ],
    }
    expect(coerceResource(GROUP, body, CREATE).members).toEqual([
      { value: 'a' },
      { value: 'b', type: 'User' },
      { value: 'c', type: 'Group' },
    ])
  })

  const badMembers: [string, unknown][] = [
    ['a member without value', [{ display: 'x' }]],
    ['a numeric member value', [{ value: 5 }]],
    ['an empty member value', [{ value: '' }]],
    ['a bare string member', ['a']],
    ['an unknown member type', [{ value: 'a', type: 'Device' }]],
  ]
  test.each(badMembers)('%s is invalidValue', (_n, members) => {
    expect(catchScimError(() => coerceResource(GROUP, { displayName: 'g', members }, CREATE)).scimType).toBe(
      'invalidValue'
    )
  })

  test('members: null is an empty list', () => {
    expect(coerceResource(GROUP, { displayName: 'g', members: null }, CREATE).members).toEqual([])
  })
})

describe('scim/schema/coerce coerceValue', () => {
  const active = USER.core.attributes.get('active')!
  const emails = USER.core.attributes.get('emails')!
  const manager = typeNamed(reg, 'User')
    .extensions.get(URN_ENTERPRISE_USER.toLowerCase())!
    .schema.attributes.get('manager')!

  test.each([
    ['False', false],
    ['true', true],
    [true, true],
    [null, undefined],
  ] as const)('active %p → %p', (input, out) => {
    expect(coerceValue(active, input, 'active')).toBe(out)
  })

  test('manager: bare string, {value}, one-element array with $ref, and the clearing forms', () => {
    expect(coerceValue(manager, '271', 'manager')).toEqual({ value: '271' })
    expect(coerceValue(manager, { value: 'x', displayName: 'ignored' }, 'manager')).toEqual({ value: 'x' })
    expect(coerceValue(manager, [{ $ref: 'https://x/Users/1', value: '1' }], 'manager')).toEqual({
      $ref: 'https://x/Users/1',
      value: '1',
    })
    expect(coerceValue(manager, '', 'manager')).toBeUndefined()
    expect(coerceValue(manager, { value: '' }, 'manager')).toBeUndefined()
    expect(coerceValue(manager, [], 'manager')).toBeUndefined()
  })

  test('a multi-valued value with nulls inside keeps the rest', () => {
    expect(coerceValue(emails, [null, { value: 'a', type: null }], 'emails')).toEqual([{ value: 'a' }])
  })

  test('non-object bodies are invalidSyntax', () => {
    for (const body of [null, [], 'x', 5])
      expect(catchScimError(() => coerceResource(USER, body, CREATE)).scimType).toBe('invalidSyntax')
  })
})

describe('coerce: binary values are base64 (RFC 7643 §2.3.6)', () => {
  const withCertificate = (value: string) => ({
    schemas: [URN_USER],
    userName: 'cert@example.com',
    x509Certificates: [{ value }],
  })

  test('base64, unpadded, URL-safe and with line breaks (a PEM body) are stored as sent', () => {
    for (const value of ['QUJD', 'QUI=', 'QUI', 'Pz8-_w', 'TUlJQ0\r\nZVpD\nQ0FU']) {
      const { doc } = coerceResource(USER, withCertificate(value), CREATE)
      expect(doc.x509Certificates).toEqual([{ value }])
    }
  })

  test('text that is not base64 is a 400 invalidValue naming the attribute', () => {
    for (const value of ['notbase64!!', 'QUJD=QUJD', 'Q', 'QUJDé', 'Pz8+_w']) {
      const err = catchScimError(() => coerceResource(USER, withCertificate(value), CREATE))
      expect(err.status).toBe(400)
      expect(err.scimType).toBe('invalidValue')
      expect(err.detail).toContain('x509Certificates')
      expect(err.detail).toContain('base64')
    }
  })
})
