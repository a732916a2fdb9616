// RFC 7643 §2.2 uniqueness "server"/"global" of declared extension attributes, over HTTP: POST, PUT, PATCH, Bulk.
import { describe, expect, test } from 'bun:test'
import type { SchemaDocument } from '../../src/scim/schema/types'
import { makeTestApp, type TestApp } from '../helpers/app'
import { expectScimError, patchBody, readJson, URN_USER } from '../helpers/scim'

const URN_HR = 'urn:example:params:scim:schemas:extension:hr:2.0:User'
const BULK = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest'
const rw = { required: false, mutability: 'readWrite', returned: 'default' }
const HR_SCHEMA = {
  id: URN_HR,
  name: 'HR',
  attributes: [
    { name: 'badge', type: 'string', multiValued: false, caseExact: false, uniqueness: 'server', ...rw },
    { name: 'serial', type: 'string', multiValued: false, caseExact: true, uniqueness: 'global', ...rw },
    { name: 'employeeNo', type: 'integer', multiValued: false, uniqueness: 'server', ...rw },
    { name: 'tags', type: 'string', multiValued: true, caseExact: false, uniqueness: 'server', ...rw },
    {
      name: 'keys',
      type: 'complex',
      multiValued: true,
      ...rw,
      subAttributes: [
        { name: 'value', type: 'string', multiValued: false, caseExact: true, uniqueness: 'server', ...rw },
      ],
    },
    { name: 'since', type: 'dateTime', multiValued: false, uniqueness: 'server', ...rw },
    { name: 'team', type: 'string', multiValued: false, caseExact: false, uniqueness: 'none', ...rw },
  ],
} as unknown as SchemaDocument

const hrApp = () => makeTestApp({ extraSchemas: [{ schema: HR_SCHEMA, resourceType: 'User' }] })
const user = (userName: string, hr: Record<string, unknown>) => ({
  schemas: [URN_USER, URN_HR],
  userName,
  [URN_HR]: hr,
})

async function created(t: TestApp, userName: string, hr: Record<string, unknown>): Promise<Record<string, any>> {
  const res = await t.request('POST', '/scim/v2/Users', user(userName, hr))
  expect(res.status).toBe(201)
  return readJson(res)
}

async function hrOf(t: TestApp, id: string): Promise<Record<string, unknown>> {
  const res = await t.request('GET', `/scim/v2/Users/${id}`)
  expect(res.status).toBe(200)
  return (await readJson(res))[URN_HR]
}

describe('uniqueness server/global on POST', () => {
  test('an equal value is 409 uniqueness naming the attribute; caseExact:false ignores case', async () => {
    const t = hrApp()
    await created(t, 'a', { badge: 'B1', serial: 'S1', employeeNo: 7 })
    const dup = await expectScimError(
      await t.request('POST', '/scim/v2/Users', user('b', { badge: 'b1' })),
      409,
      'uniqueness'
    )
    expect(dup.detail).toContain('badge')
    await expectScimError(await t.request('POST', '/scim/v2/Users', user('c', { employeeNo: 7 })), 409, 'uniqueness')
    await expectScimError(await t.request('POST', '/scim/v2/Users', user('d', { serial: 'S1' })), 409, 'uniqueness')
    // caseExact:true: another case is another value.
    await created(t, 'e', { serial: 's1', badge: 'B2', employeeNo: 8 })
    // Attributes without uniqueness may repeat.
    await created(t, 'f', { team: 'x' })
    await created(t, 'g', { team: 'X' })
    const list = await readJson(await t.request('GET', '/scim/v2/Users?count=0'))
    expect(list.totalResults).toBe(4)
  })

  test('multi-valued attributes collide on any element, sub-attributes of complex ones too', async () => {
    const t = hrApp()
    await created(t, 'a', { tags: ['red', 'Blue'], keys: [{ value: 'k1' }, { value: 'k2' }] })
    const tag = await expectScimError(
      await t.request('POST', '/scim/v2/Users', user('b', { tags: ['green', 'blue'] })),
      409,
      'uniqueness'
    )
    expect(tag.detail).toContain('tags')
    const key = await expectScimError(
      await t.request('POST', '/scim/v2/Users', user('c', { keys: [{ value: 'k2' }] })),
      409,
      'uniqueness'
    )
    expect(key.detail).toContain('keys.value')
    await created(t, 'd', { tags: ['green'], keys: [{ value: 'K2' }] })
  })

  test('the detail does not echo a long value in full', async () => {
    const t = hrApp()
    const long = 'x'.repeat(5000)
    await created(t, 'a', { badge: long })
    const dup = await expectScimError(
      await t.request('POST', '/scim/v2/Users', user('b', { badge: long })),
      409,
      'uniqueness'
    )
    expect(dup.detail.length).toBeLessThan(300)
  })

  test('values with quotes, backslashes and filter syntax are compared as values', async () => {
    const t = hrApp()
    const tricky = 'a"b\\c) or (userName pr\n\t\u00e9'
    await created(t, 'a', { badge: tricky })
    await created(t, 'b', { badge: 'a"b' })
    await expectScimError(await t.request('POST', '/scim/v2/Users', user('c', { badge: tricky })), 409, 'uniqueness')
  })

  test('two concurrent POSTs with one value: one 201, one 409 (the same write batch sees the first)', async () => {
    const t = hrApp()
    const [r1, r2] = await Promise.all([
      t.request('POST', '/scim/v2/Users', user('a', { badge: 'same' })),
      t.request('POST', '/scim/v2/Users', user('b', { badge: 'SAME' })),
    ])
    expect([r1.status, r2.status].sort()).toEqual([201, 409])
    await expectScimError(r1.status === 409 ? r1 : r2, 409, 'uniqueness')
    const list = await readJson(await t.request('GET', '/scim/v2/Users?count=0'))
    expect(list.totalResults).toBe(1)
  })
})

describe('uniqueness server/global on PUT and PATCH', () => {
  test("PUT taking another user's value is 409 and changes nothing; keeping its own value is fine", async () => {
    const t = hrApp()
    await created(t, 'a', { badge: 'B1' })
    const b = await created(t, 'b', { badge: 'B2' })
    await expectScimError(
      await t.request('PUT', `/scim/v2/Users/${b.id}`, user('b', { badge: 'b1' })),
      409,
      'uniqueness'
    )
    expect((await hrOf(t, b.id)).badge).toBe('B2')
    const keep = await t.request('PUT', `/scim/v2/Users/${b.id}`, user('b', { badge: 'B2', team: 't' }))
    expect(keep.status).toBe(200)
  })

  test("PATCH taking another user's value is 409 and changes nothing; its own value again is fine", async () => {
    const t = hrApp()
    await created(t, 'a', { badge: 'B1', tags: ['red'] })
    const b = await created(t, 'b', { badge: 'B2' })
    const path = `/scim/v2/Users/${b.id}`
    await expectScimError(
      await t.request('PATCH', path, patchBody({ op: 'replace', path: `${URN_HR}:badge`, value: 'B1' })),
      409,
      'uniqueness'
    )
    await expectScimError(
      await t.request('PATCH', path, patchBody({ op: 'add', path: `${URN_HR}:tags`, value: ['RED'] })),
      409,
      'uniqueness'
    )
    expect(await hrOf(t, b.id)).toEqual({ badge: 'B2' })
    const same = await t.request('PATCH', path, patchBody({ op: 'replace', path: `${URN_HR}:badge`, value: 'b2' }))
    expect(same.status).toBe(200)
  })
})

describe('uniqueness server/global of dateTime values', () => {
  test('the same instant written differently is the same value, and a resource never collides with itself', async () => {
    const t = hrApp()
    const a = await created(t, 'a', { since: '2024-03-01T10:00:00+02:00' })
    await expectScimError(
      await t.request('POST', '/scim/v2/Users', user('b', { since: '2024-03-01T08:00:00.000Z' })),
      409,
      'uniqueness'
    )
    const own = await t.request('PUT', `/scim/v2/Users/${a.id}`, user('a', { since: '2024-03-01T08:00:00Z' }))
    expect(own.status).toBe(200)
  })
})

describe('uniqueness server/global in Bulk', () => {
  test('a second POST with a taken value fails alone with 409 uniqueness', async () => {
    const t = hrApp()
    const res = await t.request('POST', '/scim/v2/Bulk', {
      schemas: [BULK],
      Operations: [
        { method: 'POST', path: '/Users', bulkId: 'a', data: user('a', { badge: 'B1' }) },
        { method: 'POST', path: '/Users', bulkId: 'b', data: user('b', { badge: 'B1' }) },
        { method: 'POST', path: '/Users', bulkId: 'c', data: user('c', { badge: 'B3' }) },
      ],
    })
    expect(res.status).toBe(200)
    const ops = (await readJson(res)).Operations as {
      bulkId: string
      status: string
      response?: { scimType?: string }
    }[]
    expect(ops.map((o) => [o.bulkId, o.status])).toEqual([
      ['a', '201'],
      ['b', '409'],
      ['c', '201'],
    ])
    expect(ops[1]!.response?.scimType).toBe('uniqueness')
  })
})
