// POST /Bulk over HTTP (RFC 7644 §3.7): references, errors, failOnErrors and advertised limits.
import { describe, expect, test } from 'bun:test'
import { makeTestApp } from '../helpers/app'
import { captureLog } from '../helpers/log-capture'
import { expectScimError, readJson } from '../helpers/scim'

const BULK = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest'
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User'
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group'
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp'

interface Answer {
  method: string
  bulkId?: string
  version?: string
  location?: string
  status: string
  response?: { scimType?: string; status: string }
}

async function bulk(t: ReturnType<typeof makeTestApp>, Operations: unknown[], extra: Record<string, unknown> = {}) {
  const res = await t.request('POST', '/scim/v2/Bulk', { schemas: [BULK], Operations, ...extra })
  expect(res.status).toBe(200)
  const body = await readJson<{ schemas: string[]; Operations: Answer[] }>(res)
  expect(body.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:BulkResponse'])
  return body.Operations
}

describe('POST /Bulk', () => {
  test('a group that names a user created later in the same request gets that user as a member', async () => {
    const t = makeTestApp()
    const answers = await bulk(t, [
      {
        method: 'POST',
        path: '/Groups',
        bulkId: 'g',
        data: { schemas: [GROUP], displayName: 'Tour Guides', members: [{ type: 'User', value: 'bulkId:u' }] },
      },
      { method: 'POST', path: '/Users', bulkId: 'u', data: { schemas: [USER], userName: 'alice@example.com' } },
    ])
    expect(answers.map((a) => [a.bulkId, a.status])).toEqual([
      ['g', '201'],
      ['u', '201'],
    ])
    const userId = answers[1]!.location!.split('/').pop()!
    expect(answers[1]!.location).toBe(`http://localhost/scim/v2/Users/${userId}`)
    const group = await readJson(await t.request('GET', answers[0]!.location!.replace('http://localhost', '')))
    expect(group.members.map((m: { value: string }) => m.value)).toEqual([userId])
    expect(answers[0]!.version).toBe(group.meta.version)
  })

  test('PUT, PATCH and DELETE reach resources by id or by bulkId, and honour version as If-Match', async () => {
    const t = makeTestApp()
    const [created] = await bulk(t, [
      { method: 'POST', path: '/Users', bulkId: 'u', data: { schemas: [USER], userName: 'bob@example.com' } },
    ])
    const id = created!.location!.split('/').pop()!
    const answers = await bulk(t, [
      {
        method: 'PATCH',
        path: `/Users/${id}`,
        version: created!.version,
        data: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: false }] },
      },
      {
        method: 'PUT',
        path: `/Users/${id}`,
        version: created!.version,
        data: { schemas: [USER], userName: 'bob@example.com' },
      },
      { method: 'POST', path: '/Users', bulkId: 'c', data: { schemas: [USER], userName: 'carol@example.com' } },
      { method: 'DELETE', path: '/Users/bulkId:c' },
    ])
    expect(answers.map((a) => a.status)).toEqual(['200', '412', '201', '204'])
    expect(answers[1]!.response?.status).toBe('412')
    expect((await readJson(await t.request('GET', `/scim/v2/Users/${id}`))).active).toBe(false)
    expect(
      (await readJson(await t.request('GET', '/scim/v2/Users?filter=userName%20eq%20%22carol@example.com%22')))
        .totalResults
    ).toBe(0)
  })

  test('a failed PUT, PATCH or DELETE names the resource it addressed in location (RFC 7644 §3.7.3)', async () => {
    const t = makeTestApp()
    const [created] = await bulk(t, [
      { method: 'POST', path: '/Users', bulkId: 'u', data: { schemas: [USER], userName: 'loc@example.com' } },
    ])
    const location = created!.location!
    const path = `/Users/${location.split('/').pop()}`
    const stale = 'W/"99"'
    const answers = await bulk(t, [
      { method: 'PUT', path, version: stale, data: { schemas: [USER], userName: 'loc@example.com' } },
      { method: 'PATCH', path, data: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'id', value: 'x' }] } },
      { method: 'DELETE', path, version: stale },
      { method: 'POST', path: '/Users', bulkId: 'dup', data: { schemas: [USER], userName: 'loc@example.com' } },
      { method: 'DELETE', path: '/Users/no-such-id' },
    ])
    expect(answers.map((a) => a.status)).toEqual(['412', '400', '412', '409', '404'])
    expect(answers.slice(0, 3).map((a) => a.location)).toEqual([location, location, location])
    // A failed POST has no resource, and an id naming none has no URL to give.
    expect(answers[3]!.location).toBeUndefined()
    expect(answers[4]!.location).toBeUndefined()
  })

  test('each operation fails on its own; failOnErrors stops after that many errors', async () => {
    const t = makeTestApp()
    await t.request('POST', '/scim/v2/Users', { schemas: [USER], userName: 'taken@example.com' })
    const ops = [
      { method: 'POST', path: '/Users', bulkId: 'a', data: { schemas: [USER], userName: 'taken@example.com' } },
      { method: 'POST', path: '/Users', bulkId: 'b', data: { schemas: [USER], userName: 'b@example.com' } },
      { method: 'DELETE', path: '/Users/no-such-id' },
      { method: 'POST', path: '/Users', bulkId: 'd', data: { schemas: [USER], userName: 'd@example.com' } },
    ]
    const all = await bulk(t, ops)
    expect(all.map((a) => a.status)).toEqual(['409', '201', '404', '201'])
    expect(all[0]!.response?.scimType).toBe('uniqueness')
    const t2 = makeTestApp()
    await t2.request('POST', '/scim/v2/Users', { schemas: [USER], userName: 'taken@example.com' })
    const stopped = await bulk(t2, ops, { failOnErrors: 2 })
    expect(stopped.map((a) => a.status)).toEqual(['409', '201', '404'])
    expect((await readJson(await t2.request('GET', '/scim/v2/Users'))).totalResults).toBe(2)
  })

  test('circular references are refused with 409 and create nothing; a failed POST fails what refers to it', async () => {
    const t = makeTestApp()
    const answers = await bulk(t, [
      {
        method: 'POST',
        path: '/Groups',
        bulkId: 'a',
        data: { schemas: [GROUP], displayName: 'A', members: [{ value: 'bulkId:b' }] },
      },
      {
        method: 'POST',
        path: '/Groups',
        bulkId: 'b',
        data: { schemas: [GROUP], displayName: 'B', members: [{ value: 'bulkId:a' }] },
      },
      { method: 'POST', path: '/Users', bulkId: 'bad', data: { schemas: [USER] } },
      {
        method: 'POST',
        path: '/Groups',
        bulkId: 'c',
        data: { schemas: [GROUP], displayName: 'C', members: [{ value: 'bulkId:bad' }] },
      },
    ])
    expect(answers.map((a) => a.status)).toEqual(['409', '409', '400', '409'])
    expect(answers[0]!.response).toMatchObject({ status: '409' })
    expect((await readJson(await t.request('GET', '/scim/v2/Groups'))).totalResults).toBe(0)
  })

  test('limits are advertised and enforced', async () => {
    const t = makeTestApp({ limits: { maxBulkOperations: 2 } })
    const spc = await readJson(await t.request('GET', '/scim/v2/ServiceProviderConfig'))
    expect(spc.bulk).toEqual({ supported: true, maxOperations: 2, maxPayloadSize: 10_485_760 })
    const three = Array.from({ length: 3 }, (_, i) => ({
      method: 'POST',
      path: '/Users',
      bulkId: `u${i}`,
      data: { userName: `u${i}` },
    }))
    await expectScimError(await t.request('POST', '/scim/v2/Bulk', { schemas: [BULK], Operations: three }), 413)
    expect((await readJson(await t.request('GET', '/scim/v2/Users'))).totalResults).toBe(0)
  })

  test('paths that are not resource endpoints are answered per operation', async () => {
    const t = makeTestApp()
    const answers = await bulk(t, [
      { method: 'POST', path: '/Bulk', bulkId: 'x', data: {} },
      { method: 'POST', path: '/Users/abc', bulkId: 'y', data: { userName: 'y' } },
      { method: 'PATCH', path: '/Users', data: {} },
    ])
    expect(answers.map((a) => [a.status, a.response?.scimType])).toEqual([
      ['400', 'invalidPath'],
      ['400', 'invalidPath'],
      ['400', 'invalidPath'],
    ])
  })

  test('an operation that fails with an internal error is answered 500 with the request id; the others run (RFC 7644 §3.7.3)', async () => {
    const log = captureLog('info')
    const failing = (failOn: number) =>
      makeTestApp({ logger: log.logger }, (a) => {
        const store = a.server.deps.store
        const write = store.write.bind(store)
        let writes = 0
        store.write = (fn) => (++writes === failOn ? Promise.reject(new Error('disk on fire')) : write(fn))
      })
    const ops = ['a', 'b', 'c'].map((n) => ({
      method: 'POST',
      path: '/Users',
      bulkId: n,
      data: { schemas: [USER], userName: n },
    }))
    const t = failing(2)
    const res = await t.request('POST', '/scim/v2/Bulk', { schemas: [BULK], Operations: ops })
    expect(res.status).toBe(200)
    const id = res.headers.get('x-request-id')!
    const answers = (await readJson<{ Operations: Answer[] }>(res)).Operations
    expect(answers.map((a) => [a.bulkId, a.status])).toEqual([
      ['a', '201'],
      ['b', '500'],
      ['c', '201'],
    ])
    expect(answers[1]!.response).toEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
      status: '500',
      detail: `internal server error (id ${id})`,
    } as never)
    const errors = log.records().filter((r) => r.level === 'error')
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatchObject({ reqId: id, msg: 'internal error on POST /scim/v2/Bulk: disk on fire' })
    expect((await readJson(await t.request('GET', '/scim/v2/Users'))).totalResults).toBe(2)
    // It counts toward failOnErrors like any failed operation.
    const stopped = await bulk(failing(1), ops, { failOnErrors: 1 })
    expect(stopped.map((a) => [a.bulkId, a.status])).toEqual([['a', '500']])
  })
})
