// The bound on values the stores index for lookups (userName, a group's displayName, externalId): 400 on every write path, both stores alike.
import { describe, expect, test } from 'bun:test'
import { makeTestApp, type TestApp } from '../helpers/app'
import { URN_GROUP, URN_USER, expectScimError, patchBody, readJson } from '../helpers/scim'

const BULK = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest'
// Random text does not compress: PostgreSQL's index refused such values past 2,704 bytes with a 500.
function noise(chars: number, alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789'): string {
  let x = 2463534242
  let out = ''
  for (let i = 0; i < chars; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    out += alphabet[(x >>> 0) % alphabet.length]
  }
  return out
}
const wide = (chars: number) => noise(chars, 'éßøλжあ漢')

async function created(t: TestApp, path: string, body: Record<string, unknown>): Promise<Record<string, any>> {
  const res = await t.request('POST', path, body)
  expect(res.status).toBe(201)
  return readJson(res)
}

async function refused(res: Response, attribute: string): Promise<void> {
  const body = await expectScimError(res, 400, 'invalidValue')
  expect(body.detail).toContain(attribute)
  expect(body.detail).toContain('1024 bytes')
}

describe('http lookup values: at most 1,024 bytes of UTF-8', () => {
  test('POST: a longer userName, externalId or group displayName is 400 invalidValue naming it; nothing is stored', async () => {
    const t = makeTestApp()
    await refused(await t.request('POST', '/scim/v2/Users', { schemas: [URN_USER], userName: noise(3000) }), 'userName')
    // 513 characters, 1,026 bytes: the bound is in bytes.
    await refused(await t.request('POST', '/scim/v2/Users', { schemas: [URN_USER], userName: wide(513) }), 'userName')
    await refused(
      await t.request('POST', '/scim/v2/Users', { schemas: [URN_USER], userName: 'e@x', externalId: noise(9000) }),
      'externalId'
    )
    await refused(
      await t.request('POST', '/scim/v2/Groups', { schemas: [URN_GROUP], displayName: noise(3000) }),
      'displayName'
    )
    await refused(
      await t.request('POST', '/scim/v2/Groups', { schemas: [URN_GROUP], displayName: 'g', externalId: wide(2000) }),
      'externalId'
    )
    expect((await readJson(await t.request('GET', '/scim/v2/Users'))).totalResults).toBe(0)
    expect((await readJson(await t.request('GET', '/scim/v2/Groups'))).totalResults).toBe(0)
  })

  test('values of exactly 1,024 bytes are stored and found again', async () => {
    const t = makeTestApp()
    const name = noise(1024)
    const user = await created(t, '/scim/v2/Users', {
      schemas: [URN_USER],
      userName: name,
      externalId: `${wide(340)}abcd`,
    })
    await created(t, '/scim/v2/Groups', { schemas: [URN_GROUP], displayName: name })
    const found = await readJson(
      await t.request('GET', `/scim/v2/Users?filter=${encodeURIComponent(`userName eq "${name}"`)}`)
    )
    expect(found.Resources.map((r: { id: string }) => r.id)).toEqual([user.id])
  })

  test('PUT and PATCH that would make one longer are 400 and leave the resource as it was', async () => {
    const t = makeTestApp()
    const user = await created(t, '/scim/v2/Users', { schemas: [URN_USER], userName: 'keep@x' })
    const group = await created(t, '/scim/v2/Groups', { schemas: [URN_GROUP], displayName: 'keep' })
    await refused(
      await t.request('PUT', `/scim/v2/Users/${user.id}`, { schemas: [URN_USER], userName: noise(3000) }),
      'userName'
    )
    await refused(
      await t.request(
        'PATCH',
        `/scim/v2/Users/${user.id}`,
        patchBody({ op: 'replace', path: 'externalId', value: noise(3000) })
      ),
      'externalId'
    )
    await refused(
      await t.request(
        'PATCH',
        `/scim/v2/Groups/${group.id}`,
        patchBody({ op: 'replace', path: 'displayName', value: wide(600) })
      ),
      'displayName'
    )
    const after = await readJson(await t.request('GET', `/scim/v2/Users/${user.id}`))
    expect([after.userName, after.externalId, after.meta.version]).toEqual(['keep@x', undefined, user.meta.version])
    expect((await readJson(await t.request('GET', `/scim/v2/Groups/${group.id}`))).displayName).toBe('keep')
  })

  test('Bulk: the operation with the long value is 400 invalidValue, the others are done', async () => {
    const t = makeTestApp()
    const res = await t.request('POST', '/scim/v2/Bulk', {
      schemas: [BULK],
      Operations: [
        { method: 'POST', path: '/Users', bulkId: 'a', data: { schemas: [URN_USER], userName: noise(3000) } },
        { method: 'POST', path: '/Users', bulkId: 'b', data: { schemas: [URN_USER], userName: 'fine@x' } },
      ],
    })
    expect(res.status).toBe(200)
    const answers = (await readJson(res)).Operations as { status: string; response?: Record<string, string> }[]
    expect(answers.map((a) => [a.status, a.response?.scimType])).toEqual([
      ['400', 'invalidValue'],
      ['201', undefined],
    ])
    expect(answers[0]!.response!.detail).toContain('userName')
  })
})
