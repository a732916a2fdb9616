// Client texts the server parses (PATCH path, attribute lists, sortBy) are bounded, and errors clip what they echo.
import { describe, expect, test } from 'bun:test'
import { makeTestApp, type TestApp } from '../helpers/app'
import { URN_USER, expectScimError, patchBody, readJson } from '../helpers/scim'

const BULK = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest'
const SEARCH = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest'
const N = 200_000
const deepPath = `emails[${'('.repeat(N)}value pr${')'.repeat(N)}]`

const longName = 'a'.repeat(3_000_000)

async function createUser(t: TestApp): Promise<string> {
  const res = await t.request('POST', '/scim/v2/Users', { schemas: [URN_USER], userName: 'limits@x' })
  expect(res.status).toBe(201)
  return ((await res.json()) as { id: string }).id
}

/** A SCIM Error with a short detail: the client's text is refused, not echoed back. */
async function expectShortError(res: Response, scimType: string): Promise<void> {
  const body = await expectScimError(res, 400, scimType)
  expect(body.detail.length).toBeLessThan(300)
  expect(body.detail).not.toContain('RangeError')
}

describe('http parse limits', () => {
  test('a PATCH path nested 200,000 parentheses deep is 400 invalidPath with a short detail', async () => {
    const t = makeTestApp()
    const id = await createUser(t)
    await expectShortError(
      await t.request('PATCH', `/scim/v2/Users/${id}`, patchBody({ op: 'remove', path: deepPath })),
      'invalidPath'
    )
  })

  test('a PATCH path over 4,096 characters is 400 invalidPath, however shallow', async () => {
    const t = makeTestApp()
    const id = await createUser(t)
    const path = `emails[value eq "${'x'.repeat(5000)}"]`
    await expectShortError(
      await t.request('PATCH', `/scim/v2/Users/${id}`, patchBody({ op: 'remove', path })),
      'invalidPath'
    )
  })

  test("a deep PATCH path inside Bulk is answered as that operation's 400 invalidPath", async () => {
    const t = makeTestApp()
    const id = await createUser(t)
    const res = await t.request('POST', '/scim/v2/Bulk', {
      schemas: [BULK],
      Operations: [{ method: 'PATCH', path: `/Users/${id}`, data: patchBody({ op: 'remove', path: deepPath }) }],
    })
    expect(res.status).toBe(200)
    const body = await readJson<{ Operations: { status: string; response: { scimType: string; detail: string } }[] }>(
      res
    )
    const answer = body.Operations[0]!
    expect(answer.status).toBe('400')
    expect(answer.response.scimType).toBe('invalidPath')
    expect(answer.response.detail.length).toBeLessThan(300)
  })

  test('.search attributes and excludedAttributes with a deep value path are 400 invalidValue', async () => {
    const t = makeTestApp()
    await createUser(t)
    for (const param of ['attributes', 'excludedAttributes']) {
      const res = await t.request('POST', '/scim/v2/Users/.search', { schemas: [SEARCH], [param]: [deepPath] })
      await expectShortError(res, 'invalidValue')
    }
  })

  test('attribute lists over 4,096 characters are 400 invalidValue, in the query too', async () => {
    const t = makeTestApp()
    await createUser(t)
    const list = Array.from({ length: 1000 }, (_, i) => `name${i}`).join(',')
    await expectShortError(
      await t.request('POST', '/scim/v2/Users/.search', { schemas: [SEARCH], attributes: [list] }),
      'invalidValue'
    )
    await expectShortError(await t.request('GET', `/scim/v2/Users?excludedAttributes=${list}`), 'invalidValue')
  })

  test('an unclosed bracket in a long attribute list does not echo the list', async () => {
    const t = makeTestApp()
    await createUser(t)
    await expectShortError(
      await t.request('GET', `/scim/v2/Users?attributes=emails[${'x'.repeat(2000)}`),
      'invalidValue'
    )
  })

  test('a 3 MB sortBy is 400 invalidValue and not echoed', async () => {
    const t = makeTestApp()
    await createUser(t)
    await expectShortError(
      await t.request('POST', '/scim/v2/Users/.search', { schemas: [SEARCH], sortBy: longName }),
      'invalidValue'
    )
  })

  test('an unknown sortBy under the limit echoes at most a clipped name', async () => {
    const t = makeTestApp()
    await createUser(t)
    await expectShortError(await t.request('GET', `/scim/v2/Users?sortBy=${'b'.repeat(4000)}`), 'invalidValue')
  })

  test('paging numbers, body keys and manager ids that are wrong are echoed clipped', async () => {
    const t = makeTestApp()
    const id = await createUser(t)
    const junk = 'x'.repeat(3000)
    await expectShortError(await t.request('GET', `/scim/v2/Users?count=${junk}`), 'invalidValue')
    await expectShortError(await t.request('GET', `/scim/v2/Users?startIndex=${junk}`), 'invalidValue')
    await expectShortError(await t.request('GET', `/scim/v2/Users?cursor=&count=${junk}`), 'invalidCount')
    await expectShortError(
      await t.request('POST', '/scim/v2/Users', { schemas: [URN_USER], userName: 'k@x', [` ${junk}`]: 1 }),
      'invalidPath'
    )
    await expectShortError(
      await t.request('POST', '/scim/v2/Users', { schemas: [URN_USER], userName: 'k@x', name: { [`${junk}!`]: 1 } }),
      'invalidPath'
    )
    const manager = { 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { manager: { value: junk } } }
    await expectShortError(
      await t.request('PATCH', `/scim/v2/Users/${id}`, patchBody({ op: 'add', value: manager })),
      'invalidValue'
    )
  })

  test('wrong values, op names, body paths and member sub-attributes are echoed clipped', async () => {
    const t = makeTestApp()
    const id = await createUser(t)
    const junk = 'x'.repeat(3000)
    await expectShortError(
      await t.request('POST', '/scim/v2/Users', { schemas: [URN_USER], userName: 'v@x', active: junk }),
      'invalidValue'
    )
    await expectShortError(
      await t.request('PATCH', `/scim/v2/Users/${id}`, patchBody({ op: junk, path: 'title', value: 'x' })),
      'invalidSyntax'
    )
    await expectShortError(
      await t.request('POST', '/scim/v2/Users', {
        schemas: [URN_USER],
        userName: 'v@x',
        [`emails[value eq "${junk}"]`]: {},
      }),
      'invalidPath'
    )
    const group = await t.request('POST', '/scim/v2/Groups', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
      displayName: 'g',
    })
    const gid = ((await group.json()) as { id: string }).id
    await expectShortError(
      await t.request(
        'PATCH',
        `/scim/v2/Groups/${gid}`,
        patchBody({ op: 'replace', path: `members[value eq "${id}"].${'a'.repeat(3000)}`, value: 'x' })
      ),
      'mutability'
    )
  })

  test('ids and paths inside Bulk, URL ids and If-Match are echoed clipped', async () => {
    const t = makeTestApp()
    const id = await createUser(t)
    const junk = 'x'.repeat(3000)
    const res = await t.request('POST', '/scim/v2/Bulk', {
      schemas: [BULK],
      Operations: [
        { method: 'DELETE', path: `/Users/${junk}` },
        { method: 'DELETE', path: `/Nowhere${junk}` },
        { method: 'POST', bulkId: 'b', path: `/Users/${junk}`, data: {} },
      ],
    })
    const body = await readJson<{ Operations: { status: string; response: { detail: string } }[] }>(res)
    expect(body.Operations.map((op) => op.status)).toEqual(['404', '400', '400'])
    for (const op of body.Operations) expect(op.response.detail.length).toBeLessThan(300)
    const missing = await t.request('GET', `/scim/v2/Schemas/${junk}`)
    expect(missing.status).toBe(404)
    expect(((await missing.json()) as { detail: string }).detail.length).toBeLessThan(300)
    const stale = await t.request(
      'PUT',
      `/scim/v2/Users/${id}`,
      { schemas: [URN_USER], userName: 'limits@x' },
      { 'if-match': `W/"${junk}"` }
    )
    expect(stale.status).toBe(412)
    expect(((await stale.json()) as { detail: string }).detail.length).toBeLessThan(300)
  })
})
