// PATCH and body keys over HTTP as RFC 7644 §3.5.2 / RFC 7643 §2 read them (reviewer reproductions).
import { describe, expect, test } from 'bun:test'
import type { SchemaDocument } from '../../src/scim/schema/types'
import { makeTestApp, type TestApp } from '../helpers/app'
import { URN_ENTERPRISE, URN_USER, expectScimError, patchBody, readJson } from '../helpers/scim'
import { badgeAttribute } from '../scim/patch/registry'
import { attribute } from '../helpers/schema'

const ACME = 'urn:example:params:scim:schemas:extension:acme:2.0:User'
const acme: SchemaDocument = {
  id: ACME,
  attributes: [attribute('hired', 'dateTime'), badgeAttribute('badge', false)],
}

async function createUser(t: TestApp, body: Record<string, unknown>) {
  const res = await t.request('POST', '/scim/v2/Users', { schemas: [URN_USER], ...body })
  expect(res.status).toBe(201)
  return readJson(res)
}

const patchUser = (t: TestApp, id: string, ...ops: object[]) =>
  t.request('PATCH', `/scim/v2/Users/${id}`, patchBody(...ops))

describe('http PATCH complex attributes keep sub-attributes not in the value (RFC 7644 §3.5.2.3)', () => {
  test.each([
    ['replace path name', { op: 'replace', path: 'name', value: { givenName: null } }],
    ['add path name', { op: 'add', path: 'name', value: { givenName: null } }],
    ['pathless replace', { op: 'Replace', value: { name: { givenName: null } } }],
  ])('%s {givenName: null} clears givenName only', async (_n, op) => {
    const t = makeTestApp()
    const u = await createUser(t, { userName: 'babs', name: { givenName: 'Barbara', familyName: 'Jensen' } })
    const after = await readJson(await patchUser(t, u.id, op))
    expect(after.name).toEqual({ familyName: 'Jensen' })
  })

  test('the enterprise manager survives a null readOnly displayName', async () => {
    const t = makeTestApp()
    const m = await createUser(t, { userName: 'boss' })
    const u = await createUser(t, { userName: 'emp', [URN_ENTERPRISE]: { manager: { value: m.id }, department: 'D' } })
    const after = await readJson(
      await patchUser(t, u.id, { op: 'replace', path: `${URN_ENTERPRISE}:manager`, value: { displayName: null } })
    )
    expect(after[URN_ENTERPRISE].manager.value).toBe(m.id)
    expect(after[URN_ENTERPRISE].department).toBe('D')
  })
})

describe('http PATCH no-ops keep version and lastModified (RFC 7644 §3.5.2.1)', () => {
  test.each([
    ['the same value in other attribute-name case', { op: 'replace', value: { DisplayName: 'Babs' } }],
    ['active via "False"', { op: 'Replace', path: 'active', value: 'False' }],
    ['an existing email', { op: 'add', path: 'emails', value: [{ value: 'b@x', type: 'work' }] }],
    ['remove of an absent attribute', { op: 'remove', path: 'title' }],
    ['a value-path key with the same value', { op: 'replace', value: { 'emails[type eq "work"].value': 'b@x' } }],
  ])('%s', async (_n, op) => {
    const t = makeTestApp()
    const u = await createUser(t, {
      userName: 'babs',
      displayName: 'Babs',
      active: false,
      emails: [{ value: 'b@x', type: 'work' }],
    })
    const after = await readJson(await patchUser(t, u.id, op))
    expect(after.meta.version).toBe(u.meta.version)
    expect(after.meta.lastModified).toBe(u.meta.lastModified)
  })
})

describe('http keys that are value paths or not attribute names', () => {
  test('a pathless value-path key is applied as that path', async () => {
    const t = makeTestApp()
    const u = await createUser(t, { userName: 'vp', emails: [{ value: 'old@x', type: 'work' }] })
    const after = await readJson(
      await patchUser(t, u.id, { op: 'replace', value: { 'emails[type eq "work"].value': 'new@x' } })
    )
    expect(after.emails).toEqual([{ value: 'new@x', type: 'work' }])
    expect(Object.keys(after).filter((k) => k.includes('['))).toEqual([])
  })

  test('a pathless key that is no attribute path is 400 invalidPath and changes nothing', async () => {
    const t = makeTestApp()
    const u = await createUser(t, { userName: 'bad' })
    await expectScimError(
      await patchUser(t, u.id, { op: 'add', value: { title: 'T', 'emails[type eq': 'x' } }),
      400,
      'invalidPath'
    )
    const after = await readJson(await t.request('GET', `/scim/v2/Users/${u.id}`))
    expect(after.title).toBeUndefined()
    expect(after.meta.version).toBe(u.meta.version)
  })

  test.each(['emails[type eq "work"].value', 'bad key', 'a]b'])(
    'POST and PUT with the key %p are 400 invalidPath',
    async (key) => {
      const t = makeTestApp()
      await expectScimError(
        await t.request('POST', '/scim/v2/Users', { schemas: [URN_USER], userName: 'k', [key]: 'x' }),
        400,
        'invalidPath'
      )
      const u = await createUser(t, { userName: 'k2' })
      await expectScimError(
        await t.request('PUT', `/scim/v2/Users/${u.id}`, { schemas: [URN_USER], userName: 'k2', [key]: 'x' }),
        400,
        'invalidPath'
      )
    }
  )
})

describe('http bodies keyed by the core schema URN (RFC 7643 §3)', () => {
  test('POST applies the nested attributes and lists the core URN once', async () => {
    const t = makeTestApp()
    const u = await createUser(t, { [URN_USER]: { userName: 'nested', name: { givenName: 'N', familyName: 'Ested' } } })
    expect(u.schemas).toEqual([URN_USER])
    expect(u.userName).toBe('nested')
    expect(u.name).toEqual({ givenName: 'N', familyName: 'Ested' })
    const found = await readJson(
      await t.request('GET', `/scim/v2/Users?filter=${encodeURIComponent('name.givenName eq "N"')}`)
    )
    expect(found.totalResults).toBe(1)
  })

  test('PUT and pathless PATCH do the same', async () => {
    const t = makeTestApp()
    const u = await createUser(t, { userName: 'p' })
    const put = await readJson(
      await t.request('PUT', `/scim/v2/Users/${u.id}`, {
        schemas: [URN_USER],
        [URN_USER]: { userName: 'p', title: 'T' },
      })
    )
    expect(put.title).toBe('T')
    expect(put.schemas).toEqual([URN_USER])
    const patched = await readJson(await patchUser(t, u.id, { op: 'add', value: { [URN_USER]: { nickName: 'n' } } }))
    expect(patched.nickName).toBe('n')
    expect(patched.schemas).toEqual([URN_USER])
  })
})

describe('http dateTime values (RFC 7643 §2.3.5)', () => {
  test.each(['2024-02-30T00:00:00Z', '2024-01-01T24:00:00Z', '2023-02-29T10:00:00'])(
    '%s is 400 invalidValue on POST and PATCH',
    async (hired) => {
      const t = makeTestApp({ extraSchemas: [{ schema: acme, resourceType: 'User' }] })
      await expectScimError(
        await t.request('POST', '/scim/v2/Users', { schemas: [URN_USER], userName: 'd', [ACME]: { hired } }),
        400,
        'invalidValue'
      )
      const u = await createUser(t, { userName: 'd2' })
      await expectScimError(
        await patchUser(t, u.id, { op: 'add', path: `${ACME}:hired`, value: hired }),
        400,
        'invalidValue'
      )
    }
  )
})

describe('http required sub-attributes (RFC 7643 §2.2)', () => {
  test('POST, PUT and the result of PATCH must carry them', async () => {
    const t = makeTestApp({ extraSchemas: [{ schema: acme, resourceType: 'User' }] })
    const err = await expectScimError(
      await t.request('POST', '/scim/v2/Users', {
        schemas: [URN_USER],
        userName: 'r',
        [ACME]: { badge: { color: 'red' } },
      }),
      400,
      'invalidValue'
    )
    expect(err.detail).toContain(`${ACME}:badge.number`)
    const u = await createUser(t, { userName: 'r2', [ACME]: { badge: { number: '7', color: 'red' } } })
    await expectScimError(
      await t.request('PUT', `/scim/v2/Users/${u.id}`, {
        schemas: [URN_USER],
        userName: 'r2',
        [ACME]: { badge: { color: 'red' } },
      }),
      400,
      'invalidValue'
    )
    await expectScimError(await patchUser(t, u.id, { op: 'remove', path: `${ACME}:badge.number` }), 400, 'invalidValue')
    const after = await readJson(await t.request('GET', `/scim/v2/Users/${u.id}`))
    expect(after[ACME]).toEqual({ badge: { number: '7', color: 'red' } })
  })
})

describe('http multi-valued attributes that become empty (RFC 7643 §2.5)', () => {
  test('removing the last email omits emails', async () => {
    const t = makeTestApp()
    const u = await createUser(t, { userName: 'e', emails: [{ value: 'a@x', type: 'work' }] })
    await patchUser(t, u.id, { op: 'remove', path: 'emails[value eq "a@x"]' })
    const after = await readJson(await t.request('GET', `/scim/v2/Users/${u.id}`))
    expect(after.emails).toBeUndefined()
    const found = await readJson(await t.request('GET', `/scim/v2/Users?filter=${encodeURIComponent('emails pr')}`))
    expect(found.totalResults).toBe(0)
  })
})

describe('http an email Entra clears is gone from the user, not left as {"type": "work"}', () => {
  test('Replace emails[type eq "work"].value "" answers and stores the user without that email', async () => {
    const t = makeTestApp()
    const u = await createUser(t, {
      userName: 'clear',
      emails: [
        { value: 'w@x', type: 'work', primary: true },
        { value: 'h@x', type: 'home' },
      ],
    })
    const res = await patchUser(t, u.id, { op: 'Replace', path: 'emails[type eq "work"].value', value: '' })
    expect(res.status).toBe(200)
    expect((await readJson(res)).emails).toEqual([{ value: 'h@x', type: 'home' }])
    const shown = await readJson(await t.request('GET', `/scim/v2/Users/${u.id}`))
    expect(shown.emails).toEqual([{ value: 'h@x', type: 'home' }])
    const listed = await readJson(await t.request('GET', '/scim/v2/Users?filter=emails.type+eq+%22work%22'))
    expect(listed.totalResults).toBe(0)
  })
})
