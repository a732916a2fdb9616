// Bulk at the service level: which operations count as the failure of a bulkId that others refer to.
import { describe, expect, test } from 'bun:test'
import { makeTestApp } from '../helpers/app'
import { URN_USER, patchBody, readJson } from '../helpers/scim'

const BULK = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest'

async function bulk(t: ReturnType<typeof makeTestApp>, Operations: unknown[]) {
  const res = await t.request('POST', '/scim/v2/Bulk', { schemas: [BULK], Operations })
  expect(res.status).toBe(200)
  const body = await readJson<{ Operations: { method: string; bulkId?: string; status: string }[] }>(res)
  return body.Operations.map((o) => [o.method, o.bulkId, o.status])
}

const post = (bulkId: string, userName = `${bulkId}@example.com`) => ({
  method: 'POST',
  path: '/Users',
  bulkId,
  data: { schemas: [URN_USER], userName },
})

/** A user made before the bulk request, as served. */
async function existingUser(t: ReturnType<typeof makeTestApp>, userName: string) {
  return readJson(await t.request('POST', '/scim/v2/Users', { schemas: [URN_USER], userName }))
}

describe('service/bulk', () => {
  test('a refused second POST of a bulkId does not fail what refers to the first, which was created', async () => {
    const t = makeTestApp()
    expect(
      await bulk(t, [post('u'), post('u', 'other@example.com'), { method: 'DELETE', path: '/Users/bulkId:u' }])
    ).toEqual([
      ['POST', 'u', '201'],
      ['POST', 'u', '400'],
      ['DELETE', undefined, '204'],
    ])
  })

  test('a failed operation other than a POST that carries the bulkId does not fail what refers to the POST', async () => {
    const t = makeTestApp()
    const existing = await existingUser(t, 'e@example.com')
    const answers = await bulk(t, [
      { method: 'PATCH', path: `/Users/${existing.id}`, bulkId: 'u', data: 'not a PatchOp' },
      post('u'),
      { method: 'PATCH', path: '/Users/bulkId:u', data: patchBody({ op: 'add', path: 'title', value: 'x' }) },
    ])
    expect(answers).toEqual([
      ['PATCH', 'u', '400'],
      ['POST', 'u', '201'],
      ['PATCH', undefined, '200'],
    ])
  })

  test('what refers to a POST that failed is still refused with 409', async () => {
    const t = makeTestApp()
    const failed = { method: 'POST', path: '/Users', bulkId: 'u', data: { schemas: [URN_USER] } }
    expect(await bulk(t, [failed, { method: 'DELETE', path: '/Users/bulkId:u' }])).toEqual([
      ['POST', 'u', '400'],
      ['DELETE', undefined, '409'],
    ])
  })

  test('a path with a query or a fragment is invalidPath for every method, not a resource that is not found', async () => {
    const t = makeTestApp()
    const existing = await existingUser(t, 'q@example.com')
    const res = await t.request('POST', '/scim/v2/Bulk', {
      schemas: [BULK],
      Operations: [
        { ...post('q'), path: '/Users?attributes=userName' },
        {
          method: 'PUT',
          path: `/Users/${existing.id}?attributes=userName`,
          data: { schemas: [URN_USER], userName: 'q@example.com' },
        },
        { method: 'PATCH', path: `/Users/${existing.id}#x`, data: patchBody({ op: 'add', path: 'title', value: 'x' }) },
        { method: 'DELETE', path: `/Users/${existing.id}?` },
      ],
    })
    const body = await readJson<{ Operations: { status: string; response?: { scimType?: string; detail: string } }[] }>(
      res
    )
    for (const answer of body.Operations) {
      expect([answer.status, answer.response?.scimType]).toEqual(['400', 'invalidPath'])
      expect(answer.response?.detail).toContain('no query or fragment')
    }
    // Nothing was changed: the user is as it was.
    expect((await readJson(await t.request('GET', `/scim/v2/Users/${existing.id}`))).meta.version).toBe(
      existing.meta.version
    )
  })
})
