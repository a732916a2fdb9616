// Body keys in POST/PUT (RFC 7643 §2.1 ATTRNAME, §3): the same key resolver PATCH uses.
import { describe, expect, test } from 'bun:test'
import { URN_ENTERPRISE_USER, URN_USER } from '../../../src/scim/constants'
import { coerceResource, type CoerceOptions } from '../../../src/scim/schema/coerce'
import { catchScimError } from '../../helpers/scim'
import { badgeAttribute, testRegistry, typeNamed, userTypeWith } from '../patch/registry'

const reg = testRegistry()
const USER = typeNamed(reg, 'User')
const CREATE: CoerceOptions = { mode: 'create' }
const ENT = URN_ENTERPRISE_USER

describe('scim/schema/coerce body keys', () => {
  test('a key equal to the core schema URN: its attributes apply as top-level ones, schemas lists each URN once', () => {
    const body = { schemas: [URN_USER], [URN_USER]: { userName: 'a', name: { givenName: 'A', familyName: null } } }
    const { doc, schemas } = coerceResource(USER, body, CREATE)
    expect(doc).toEqual({ userName: 'a', name: { givenName: 'A' } })
    expect(schemas).toEqual([URN_USER])
  })

  test('core-URN-qualified attribute keys are the core attributes', () => {
    const { doc, schemas } = coerceResource(
      USER,
      { [`${URN_USER}:userName`]: 'a', [`${URN_USER}:name.givenName`]: 'A' },
      CREATE
    )
    expect(doc).toEqual({ userName: 'a', name: { givenName: 'A' } })
    expect(schemas).toEqual([URN_USER])
  })

  test('dotted keys are paths, merged with the object form in either order', () => {
    expect(
      coerceResource(USER, { userName: 'a', 'name.givenName': 'A', name: { familyName: 'F' } }, CREATE).doc
    ).toEqual({ userName: 'a', name: { givenName: 'A', familyName: 'F' } })
    expect(
      coerceResource(USER, { userName: 'a', name: { familyName: 'F' }, 'NAME.givenname': 'A' }, CREATE).doc
    ).toEqual({ userName: 'a', name: { givenName: 'A', familyName: 'F' } })
  })

  test('URN-qualified extension keys land in the extension, the unqualified Entra form too', () => {
    const { doc, schemas } = coerceResource(USER, { userName: 'a', [`${ENT}:department`]: 'D', manager: 'm-1' }, CREATE)
    expect(doc).toEqual({ userName: 'a', [ENT]: { department: 'D', manager: { value: 'm-1' } } })
    expect(schemas).toEqual([URN_USER, ENT])
  })

  test('null is "not assigned": never stored, at any level', () => {
    const body = {
      userName: 'a',
      title: null,
      name: { givenName: null, familyName: 'F' },
      [ENT]: { department: null, manager: null },
      legacy: null,
    }
    expect(coerceResource(USER, body, CREATE).doc).toEqual({ userName: 'a', name: { familyName: 'F' } })
  })

  test.each(['emails[type eq "work"].value', 'emails[type eq "work"]', 'bad key', 'a]', 'x.y.z', 'naïve', ''])(
    'the key %p is 400 invalidPath, never stored',
    (key) => {
      const err = catchScimError(() => coerceResource(USER, { userName: 'a', [key]: 'x' }, CREATE))
      expect(err.status).toBe(400)
      expect(err.scimType).toBe('invalidPath')
    }
  )

  test('invalid keys inside an extension object are 400 too', () => {
    expect(
      catchScimError(() => coerceResource(USER, { userName: 'a', [ENT]: { 'dept[x]': 'D' } }, CREATE)).scimType
    ).toBe('invalidPath')
  })
})

describe('scim/schema/coerce required sub-attributes', () => {
  const ACME = 'urn:example:params:scim:schemas:extension:acme:2.0:User'
  const ACME_USER = userTypeWith({ id: ACME, attributes: [badgeAttribute('badges', true)] })

  test.each([CREATE, { mode: 'replace', existing: { userName: 'a' } } as CoerceOptions])(
    'an element without the required sub-attribute is invalidValue naming it (%p)',
    (opts) => {
      const err = catchScimError(() =>
        coerceResource(ACME_USER, { userName: 'a', [ACME]: { badges: [{ number: '1' }, { color: 'red' }] } }, opts)
      )
      expect(err.scimType).toBe('invalidValue')
      expect(err.detail).toContain(`${ACME}:badges.number`)
    }
  )

  test('elements with it, or no attribute at all, are fine', () => {
    expect(
      coerceResource(ACME_USER, { userName: 'a', [ACME]: { badges: [{ number: '1' }] } }, CREATE).doc[ACME]
    ).toEqual({ badges: [{ number: '1' }] })
    expect(coerceResource(ACME_USER, { userName: 'a' }, CREATE).doc).toEqual({ userName: 'a' })
  })
})
