// Protocol edges over HTTP: auth, media types, error bodies, discovery, ETags, paging, search.
import { describe, expect, test } from 'bun:test'
import { makeTestApp } from '../helpers/app'
import { URN_USER, expectScimError, patchBody, readJson } from '../helpers/scim'

describe('http protocol', () => {
  test('missing or wrong token: 401 SCIM Error with WWW-Authenticate: Bearer', async () => {
    const t = makeTestApp()
    for (const authorization of ['', 'Bearer wrong', 'Basic dGVzdA==']) {
      const res = await t.request('GET', '/scim/v2/Users', undefined, { authorization })
      await expectScimError(res, 401)
      expect(res.headers.get('www-authenticate')).toStartWith('Bearer')
    }
  })

  test('a verified token is remembered, a wrong one is still refused after it', async () => {
    const t = makeTestApp()
    for (let round = 0; round < 3; round++) {
      expect((await t.request('GET', '/scim/v2/Users')).status).toBe(200)
      for (const authorization of ['Bearer test-token-', 'Bearer test-toke', 'Bearer Test-token', 'Bearer wrong']) {
        await expectScimError(await t.request('GET', '/scim/v2/Users', undefined, { authorization }), 401)
      }
    }
  })

  test('Test Connection: +-encoded userName filter on a random GUID → 200 empty ListResponse', async () => {
    const t = makeTestApp()
    const res = await t.request('GET', `/scim/v2/Users?filter=userName+eq+%22${crypto.randomUUID()}%22`, undefined, {
      accept: 'text/html',
    })
    expect(res.status).toBe(200)
    expect(await readJson(res)).toEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
      totalResults: 0,
      itemsPerPage: 0,
      startIndex: 1,
      Resources: [],
    })
  })

  test('bodies are accepted as application/json and application/scim+json; others get 415', async () => {
    const t = makeTestApp()
    for (const [i, type] of [
      'application/json',
      'application/scim+json',
      'application/scim+json; charset=utf-8',
    ].entries()) {
      expect(
        (
          await t.request(
            'POST',
            '/scim/v2/Users',
            { schemas: [URN_USER], userName: `c${i}` },
            { 'content-type': type }
          )
        ).status
      ).toBe(201)
    }
    await expectScimError(
      await t.request('POST', '/scim/v2/Users', 'userName=x', { 'content-type': 'application/x-www-form-urlencoded' }),
      415
    )
  })

  test('unknown endpoints, an empty Bulk and Me answer SCIM errors, never HTML or 500', async () => {
    const t = makeTestApp()
    await expectScimError(await t.request('GET', '/scim/v2/Nope'), 404)
    await expectScimError(await t.request('POST', '/scim/v2/Bulk', {}), 400, 'invalidSyntax')
    await expectScimError(await t.request('GET', '/scim/v2/Me'), 501)
  })

  test('malformed filters and paging are 400 with the right scimType', async () => {
    const t = makeTestApp()
    await expectScimError(await t.request('GET', '/scim/v2/Users?filter=userName+eq'), 400, 'invalidFilter')
    await expectScimError(await t.request('GET', '/scim/v2/Users?filter=nosuch+eq+1'), 400, 'invalidFilter')
    await expectScimError(await t.request('GET', '/scim/v2/Users?count=ten'), 400, 'invalidValue')
    await expectScimError(await t.request('GET', '/scim/v2/Users?sortBy=nosuch'), 400, 'invalidValue')
  })

  test('discovery tells the truth: patch, sort, etag, filter and bulk on; schemas listed', async () => {
    const t = makeTestApp({ schemaPacks: ['alertmedia'] })
    const spc = await readJson(await t.request('GET', '/scim/v2/ServiceProviderConfig'))
    expect(spc).toMatchObject({
      patch: { supported: true },
      bulk: { supported: true, maxOperations: 1000 },
      sort: { supported: true },
      etag: { supported: true },
      filter: { supported: true, maxResults: 1000 },
    })
    const schemas = await readJson(await t.request('GET', '/scim/v2/Schemas'))
    const ids = schemas.Resources.map((s: { id: string }) => s.id)
    expect(ids).toContain(URN_USER)
    expect(ids).toContain('urn:ietf:params:scim:schemas:extension:alertmedia:2.0:CustomAttribute:User')
    const types = await readJson(await t.request('GET', '/scim/v2/ResourceTypes/User'))
    expect(types.schemaExtensions.map((e: { schema: string }) => e.schema)).toContain(
      'urn:ietf:params:scim:schemas:extension:alertmedia:2.0:CustomAttribute:User'
    )
    const one = await readJson(await t.request('GET', `/scim/v2/Schemas/${URN_USER}`))
    expect(one.attributes.find((a: { name: string }) => a.name === 'userName')).toMatchObject({
      uniqueness: 'server',
      caseExact: false,
    })
  })

  test('ETags: If-None-Match → 304, stale If-Match → 412 and nothing changes', async () => {
    const t = makeTestApp()
    const created = await t.request('POST', '/scim/v2/Users', { schemas: [URN_USER], userName: 'e' })
    const etag = created.headers.get('etag')!
    const id = (await readJson(created)).id
    expect((await t.request('GET', `/scim/v2/Users/${id}`, undefined, { 'if-none-match': etag })).status).toBe(304)
    const patched = await t.request(
      'PATCH',
      `/scim/v2/Users/${id}`,
      patchBody({ op: 'replace', path: 'title', value: 'T' }),
      { 'if-match': etag }
    )
    expect(patched.status).toBe(200)
    await expectScimError(
      await t.request('PATCH', `/scim/v2/Users/${id}`, patchBody({ op: 'replace', path: 'title', value: 'U' }), {
        'if-match': etag,
      }),
      412
    )
    await expectScimError(await t.request('DELETE', `/scim/v2/Users/${id}`, undefined, { 'if-match': etag }), 412)
    expect((await readJson(await t.request('GET', `/scim/v2/Users/${id}`))).title).toBe('T')
  })

  test('paging clamps startIndex and count; totalResults is exact; sortBy orders', async () => {
    const t = makeTestApp({ maxResults: 3 })
    for (const n of ['d', 'b', 'a', 'c', 'e'])
      await t.request('POST', '/scim/v2/Users', { schemas: [URN_USER], userName: n })
    const page = await readJson(await t.request('GET', '/scim/v2/Users?sortBy=userName&startIndex=0&count=50'))
    expect(page.totalResults).toBe(5)
    expect(page.startIndex).toBe(1)
    expect(page.Resources.map((r: { userName: string }) => r.userName)).toEqual(['a', 'b', 'c'])
    const desc = await readJson(
      await t.request('GET', '/scim/v2/Users?sortBy=userName&sortOrder=descending&startIndex=2&count=2')
    )
    expect(desc.Resources.map((r: { userName: string }) => r.userName)).toEqual(['d', 'c'])
    expect((await readJson(await t.request('GET', '/scim/v2/Users?count=-4'))).Resources).toEqual([])
  })

  test('POST /.search per type and at the root', async () => {
    const t = makeTestApp()
    await t.request('POST', '/scim/v2/Users', { schemas: [URN_USER], userName: 'alice', title: 'Eng' })
    await t.request('POST', '/scim/v2/Groups', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
      displayName: 'Eng',
    })
    const search = {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'],
      filter: 'userName sw "ali"',
      attributes: ['userName'],
    }
    const users = await readJson(await t.request('POST', '/scim/v2/Users/.search', search))
    expect(users.Resources).toEqual([{ schemas: [URN_USER], id: users.Resources[0].id, userName: 'alice' }])
    const all = await readJson(
      await t.request('POST', '/scim/v2/.search', { filter: 'meta.resourceType pr', count: 10 })
    )
    expect(all.totalResults).toBe(2)
  })

  test('a SearchRequest member sent as null is left out (RFC 7643 §2.5), per type and at the root', async () => {
    const t = makeTestApp()
    await t.request('POST', '/scim/v2/Users', { schemas: [URN_USER], userName: 'alice' })
    const nulls = {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'],
      filter: null,
      sortBy: null,
      sortOrder: null,
      startIndex: null,
      count: null,
      attributes: null,
      excludedAttributes: null,
    }
    for (const path of ['/scim/v2/Users/.search', '/scim/v2/.search']) {
      const res = await t.request('POST', path, nulls)
      expect(res.status).toBe(200)
      expect((await readJson(res)).Resources.map((r: { userName: string }) => r.userName)).toEqual(['alice'])
    }
  })
})

describe('http --base-url', () => {
  test('meta.location, Location and $ref use the configured public URL behind a proxy', async () => {
    const t = makeTestApp({ baseUrl: 'https://scim.example.com/scim/v2/' })
    const res = await t.request('POST', '/scim/v2/Users', { schemas: [URN_USER], userName: 'proxied' })
    const body = await readJson(res)
    expect(res.headers.get('location')).toBe(`https://scim.example.com/scim/v2/Users/${body.id}`)
    expect(body.meta.location).toBe(res.headers.get('location'))
  })
})

describe('http auth details', () => {
  test('the token is checked before the body is parsed, only from the header, scheme in any case', async () => {
    const t = makeTestApp()
    await expectScimError(await t.request('POST', '/scim/v2/Users', '{bad', { authorization: '' }), 401)
    await expectScimError(
      await t.request('POST', '/scim/v2/Users', 'x', { authorization: '', 'content-type': 'text/plain' }),
      401
    )
    await expectScimError(
      await t.request('GET', '/scim/v2/Users?access_token=test-token', undefined, { authorization: '' }),
      401
    )
    expect((await t.request('GET', '/scim/v2/Users', undefined, { authorization: 'bearer test-token' })).status).toBe(
      200
    )
    expect((await t.request('GET', '/healthz', undefined, { authorization: '' })).status).toBe(200)
  })
})
