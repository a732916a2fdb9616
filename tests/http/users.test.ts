// /Users over HTTP: create, read, list, replace, delete, uniqueness and projections.
import { describe, expect, test } from 'bun:test'
import { makeTestApp } from '../helpers/app'
import { URN_ENTERPRISE, URN_USER, expectScimError, patchBody, readJson } from '../helpers/scim'

const user = (userName: string, extra: object = {}) => ({ schemas: [URN_USER], userName, active: true, ...extra })

describe('http /Users', () => {
  test('POST answers 201 with Location, ETag and server-set meta; readOnly input is ignored', async () => {
    const t = makeTestApp()
    const res = await t.request(
      'POST',
      '/scim/v2/Users',
      user('bjensen', { id: 'client-id', meta: { resourceType: 'User', created: '1999-01-01T00:00:00Z' }, roles: [] })
    )
    const body = await readJson(res)
    expect(res.status).toBe(201)
    expect(body.id).not.toBe('client-id')
    expect(res.headers.get('location')).toBe(`http://localhost/scim/v2/Users/${body.id}`)
    expect(body.meta.location).toBe(res.headers.get('location'))
    expect(res.headers.get('etag')).toBe(body.meta.version)
    expect(body.meta.created).not.toBe('1999-01-01T00:00:00Z')
    expect(body.meta.resourceType).toBe('User')
  })

  test('userName is unique case-insensitively (409 uniqueness), and nothing is half-written', async () => {
    const t = makeTestApp()
    expect((await t.request('POST', '/scim/v2/Users', user('Jürgen@Example.com'))).status).toBe(201)
    await expectScimError(await t.request('POST', '/scim/v2/Users', user('jÜRGEN@example.COM')), 409, 'uniqueness')
    const list = await readJson(await t.request('GET', '/scim/v2/Users'))
    expect(list.totalResults).toBe(1)
  })

  test('missing userName is 400 invalidValue; a non-object body is 400 invalidSyntax', async () => {
    const t = makeTestApp()
    await expectScimError(
      await t.request('POST', '/scim/v2/Users', { schemas: [URN_USER], active: true }),
      400,
      'invalidValue'
    )
    await expectScimError(await t.request('POST', '/scim/v2/Users', '[1,2]'), 400, 'invalidSyntax')
    await expectScimError(await t.request('POST', '/scim/v2/Users', '{"userName":'), 400, 'invalidSyntax')
  })

  test('a wrongly typed declared attribute is 400 invalidValue', async () => {
    const t = makeTestApp()
    await expectScimError(
      await t.request('POST', '/scim/v2/Users', user('x', { active: 'perhaps' })),
      400,
      'invalidValue'
    )
    await expectScimError(
      await t.request('POST', '/scim/v2/Users', user('y', { name: 'not an object' })),
      400,
      'invalidValue'
    )
  })

  test('Entra create body with nulls, string booleans and a malformed extension URN is accepted', async () => {
    const t = makeTestApp()
    const res = await t.request('POST', '/scim/v2/Users', {
      schemas: [URN_USER, 'urn:ietf:params:scim:schemas:extension:enterprise:2.0User'],
      externalId: 'jyoung',
      userName: 'jyoung@testuser.com',
      active: 'True',
      addresses: null,
      displayName: 'Joy Young',
      emails: [{ type: 'work', value: 'jyoung@Contoso.com', primary: true }],
      meta: { resourceType: 'User' },
      name: { familyName: 'Young', givenName: 'Joy', formatted: null },
      phoneNumbers: null,
      preferredLanguage: null,
      title: null,
    })
    const body = await readJson(res)
    expect(res.status).toBe(201)
    expect(body.active).toBe(true)
    expect(body.addresses).toBeUndefined()
    expect(body.name).toEqual({ familyName: 'Young', givenName: 'Joy' })
  })

  test('GET by id, 404 for unknown ids, and disabled users are still returned', async () => {
    const t = makeTestApp()
    const created = await readJson(await t.request('POST', '/scim/v2/Users', user('a', { active: false })))
    const got = await readJson(await t.request('GET', `/scim/v2/Users/${created.id}`))
    expect(got.active).toBe(false)
    await expectScimError(await t.request('GET', '/scim/v2/Users/nope'), 404)
  })

  test('attributes and excludedAttributes shape the response; id and schemas always stay', async () => {
    const t = makeTestApp()
    const created = await readJson(
      await t.request(
        'POST',
        '/scim/v2/Users',
        user('p', { name: { givenName: 'G', familyName: 'F' }, [URN_ENTERPRISE]: { department: 'D', costCenter: 'C' } })
      )
    )
    const only = await readJson(
      await t.request('GET', `/scim/v2/Users/${created.id}?attributes=name.givenName,${URN_ENTERPRISE}:department`)
    )
    expect(only).toEqual({
      schemas: created.schemas,
      id: created.id,
      name: { givenName: 'G' },
      [URN_ENTERPRISE]: { department: 'D' },
    })
    const without = await readJson(await t.request('GET', `/scim/v2/Users/${created.id}?excludedAttributes=name,meta`))
    expect(without.name).toBeUndefined()
    expect(without.meta).toBeUndefined()
    expect(without.userName).toBe('p')
  })

  test('password is writeOnly: accepted, never returned', async () => {
    const t = makeTestApp()
    const created = await readJson(await t.request('POST', '/scim/v2/Users', user('pw', { password: 's3cret' })))
    expect(created.password).toBeUndefined()
    const asked = await readJson(await t.request('GET', `/scim/v2/Users/${created.id}?attributes=password,userName`))
    expect(asked.password).toBeUndefined()
  })

  test('PUT replaces the resource, keeps id and created, bumps the version', async () => {
    const t = makeTestApp()
    const created = await readJson(
      await t.request('POST', '/scim/v2/Users', user('r', { title: 'Old', nickName: 'n' }))
    )
    const res = await t.request('PUT', `/scim/v2/Users/${created.id}`, user('r', { title: 'New' }))
    const replaced = await readJson(res)
    expect(res.status).toBe(200)
    expect(replaced.id).toBe(created.id)
    expect(replaced.title).toBe('New')
    expect(replaced.nickName).toBeUndefined()
    expect(replaced.meta.created).toBe(created.meta.created)
    expect(replaced.meta.version).not.toBe(created.meta.version)
  })

  test('DELETE answers 204, then the user is gone', async () => {
    const t = makeTestApp()
    const created = await readJson(await t.request('POST', '/scim/v2/Users', user('d')))
    expect((await readJson(await t.request('GET', '/scim/v2/Users'))).totalResults).toBe(1)
    const res = await t.request('DELETE', `/scim/v2/Users/${created.id}`)
    expect(res.status).toBe(204)
    expect(await res.text()).toBe('')
    await expectScimError(await t.request('DELETE', `/scim/v2/Users/${created.id}`), 404)
    expect((await readJson(await t.request('GET', '/scim/v2/Users'))).totalResults).toBe(0)
  })

  test('a manager must reference an existing user', async () => {
    const t = makeTestApp()
    const created = await readJson(await t.request('POST', '/scim/v2/Users', user('m')))
    const op = { op: 'Add', path: `${URN_ENTERPRISE}:manager`, value: 'no-such-user' }
    await expectScimError(await t.request('PATCH', `/scim/v2/Users/${created.id}`, patchBody(op)), 400, 'invalidValue')
    const unchanged = await readJson(await t.request('GET', `/scim/v2/Users/${created.id}`))
    expect(unchanged[URN_ENTERPRISE]).toBeUndefined()
    expect(unchanged.meta.version).toBe(created.meta.version)
  })
})
