// startScimServer: a real listening server per call, driven over HTTP with fetch as a consumer would.
import { expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startScimServer } from '../../src/index'
import { ENTRA_CONTENT_TYPE } from '../helpers/app'
import { expectScimError, readJson, URN_GROUP, URN_USER } from '../helpers/scim'

function call(url: string, token: string, method = 'GET', body?: unknown): Promise<Response> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` }
  if (body !== undefined) headers['content-type'] = ENTRA_CONTENT_TYPE
  return fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
}

test('serves the default tenant on 127.0.0.1 with a random token, and reads back what it stored', async () => {
  await using server = await startScimServer()
  expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/scim\/v2$/)
  expect(server.token.length).toBeGreaterThanOrEqual(32)
  const created = await call(`${server.url}/Users`, server.token, 'POST', { schemas: [URN_USER], userName: 'ada' })
  expect(created.status).toBe(201)
  const { id } = await readJson<{ id: string }>(created)
  expect(created.headers.get('location')).toBe(`${server.url}/Users/${id}`)
  const read = await readJson(await call(`${server.url}/Users/${id}`, server.token))
  expect(read.userName).toBe('ada')
})

test('each server has its own port and token; a wrong token is a SCIM 401', async () => {
  await using a = await startScimServer()
  await using b = await startScimServer()
  expect(a.url).not.toBe(b.url)
  expect(a.token).not.toBe(b.token)
  await expectScimError(await call(`${a.url}/Users`, b.token), 401)
})

test('a given token is the one accepted', async () => {
  await using server = await startScimServer({ token: 'given-token' })
  expect(server.token).toBe('given-token')
  expect((await call(`${server.url}/Users`, 'given-token')).status).toBe(200)
})

test('tenantUrl names the tenant path under the same origin', async () => {
  await using server = await startScimServer()
  const origin = server.url.slice(0, -'/scim/v2'.length)
  expect(server.tenantUrl('acme')).toBe(`${origin}/tenants/acme/scim/v2`)
  expect(server.tenantUrl('a b/c')).toBe(`${origin}/tenants/a%20b%2Fc/scim/v2`)
})

test('ServerOptions pass through', async () => {
  await using server = await startScimServer({ maxResults: 7 })
  const config = await readJson(await call(`${server.url}/ServiceProviderConfig`, server.token))
  expect(config.filter.maxResults).toBe(7)
})

test('seed creates through the service layer and returns the created resources', async () => {
  await using server = await startScimServer()
  const { users } = await server.seed({ users: [{ userName: 'u1' }, { userName: 'u2', active: false }] })
  expect(users.map((u) => u.userName)).toEqual(['u1', 'u2'])
  const { groups } = await server.seed({ groups: [{ displayName: 'g', members: users.map((u) => ({ value: u.id })) }] })
  expect(groups).toHaveLength(1)
  const group = await readJson(await call(`${server.url}/Groups/${groups[0]!.id}`, server.token))
  expect(group.members.map((m: { value: string }) => m.value).sort()).toEqual(users.map((u) => u.id).sort())
  const user = await readJson(await call(`${server.url}/Users/${users[1]!.id}`, server.token))
  expect(user.active).toBe(false)
  expect(user.meta.location).toBe(`${server.url}/Users/${users[1]!.id}`)
})

test('seed applies validation and writes nothing of a rejected batch', async () => {
  await using server = await startScimServer()
  await server.seed({ users: [{ userName: 'taken' }] })
  const attempt = server.seed({
    users: [{ userName: 'fresh' }, { userName: 'TAKEN' }],
    groups: [{ displayName: 'never' }],
  })
  await expect(attempt).rejects.toMatchObject({ name: 'ScimError', status: 409, scimType: 'uniqueness' })
  await expect(server.seed({ users: [{ displayName: 'no userName' }] })).rejects.toMatchObject({ status: 400 })
  // A JavaScript caller is not held to the types: a non-object is a SCIM 400 too, not a TypeError.
  await expect(server.seed({ groups: [null as never] })).rejects.toMatchObject({ name: 'ScimError', status: 400 })
  const users = await readJson(await call(`${server.url}/Users`, server.token))
  expect(users.Resources.map((u: { userName: string }) => u.userName)).toEqual(['taken'])
  const groups = await readJson(await call(`${server.url}/Groups`, server.token))
  expect(groups.totalResults).toBe(0)
})

test('seed holds a resource to --max-depth as a request body is held, and the directory stays readable', async () => {
  await using server = await startScimServer()
  let deep: unknown = []
  for (let i = 0; i < 1100; i++) deep = [deep]
  const attempt = server.seed({ users: [{ userName: 'ok' }, { userName: 'deep', x: deep } as never] })
  await expect(attempt).rejects.toMatchObject({ name: 'ScimError', status: 400, scimType: 'invalidSyntax' })
  const filtered = await call(`${server.url}/Users?filter=${encodeURIComponent('title eq "t"')}`, server.token)
  expect(filtered.status).toBe(200)
  expect((await readJson(filtered)).totalResults).toBe(0)
})

test('seed refuses an argument plain JavaScript may pass, naming what it takes, and holds a resource to maxRequestBytes', async () => {
  await using server = await startScimServer({ limits: { maxRequestBytes: 200 } })
  const seed = server.seed as (input: unknown) => Promise<unknown>
  await expect(seed(null)).rejects.toThrow('seed() takes { users?: [...], groups?: [...] }, got null')
  await expect(seed({ userz: [{ userName: 'a' }] })).rejects.toThrow("not 'userz'")
  await expect(seed({ users: { userName: 'a' } })).rejects.toThrow('users must be an array')
  const big = await server.seed({ users: [{ userName: 'x'.repeat(300) }] }).catch((err) => err)
  expect([big.status, big.message]).toEqual([413, 'seed users[0]: the resource is larger than 200 bytes'])
  expect((await readJson(await call(`${server.url}/Users`, server.token))).totalResults).toBe(0)
})

test('reset empties users and groups behind the same URL and token', async () => {
  await using server = await startScimServer()
  const { users } = await server.seed({ users: [{ userName: 'gone' }] })
  await server.seed({ groups: [{ displayName: 'gone', members: [{ value: users[0]!.id }] }] })
  await server.reset()
  for (const path of ['Users', 'Groups', 'Users?filter=userName%20eq%20%22gone%22']) {
    const list = await readJson(await call(`${server.url}/${path}`, server.token))
    expect(list.totalResults).toBe(0)
  }
  const again = await call(`${server.url}/Users`, server.token, 'POST', { schemas: [URN_USER], userName: 'gone' })
  expect(again.status).toBe(201)
  const group = await call(`${server.url}/Groups`, server.token, 'POST', { schemas: [URN_GROUP], displayName: 'gone' })
  expect(group.status).toBe(201)
})

test('reset empties a database file in place', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'scim-embed-'))
  try {
    await using server = await startScimServer({ db: join(dir, 'scim.db'), durability: 'normal' })
    // More than one page of deletes (500).
    await server.seed({ users: Array.from({ length: 600 }, (_, i) => ({ userName: `u${i}` })) })
    await server.reset()
    const list = await readJson(await call(`${server.url}/Users`, server.token))
    expect(list.totalResults).toBe(0)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('stop closes the port; stopping twice is harmless; await using stops too', async () => {
  const server = await startScimServer()
  await server.stop()
  await server.stop()
  await expect(fetch(`${server.url}/Users`)).rejects.toThrow()
  let url = ''
  {
    await using scoped = await startScimServer()
    url = scoped.url
  }
  await expect(fetch(`${url}/Users`)).rejects.toThrow()
})

test('createTenant serves a named tenant at tenantUrl(name) at once, with its own token and pack', async () => {
  await using server = await startScimServer()
  const badge = {
    id: 'urn:example:badge',
    name: 'Badge',
    attributes: [{ name: 'badge', type: 'string', multiValued: false }],
  } as never
  const acme = server.createTenant('acme', {
    schemaPacks: ['alertmedia'],
    maxResults: 5,
    extraSchemas: [{ schema: badge, resourceType: 'User' }],
  })
  expect(acme.url).toBe(server.tenantUrl('acme'))
  const created = await call(`${acme.url}/Users`, acme.token, 'POST', { schemas: [URN_USER], userName: 'ada' })
  expect(created.status).toBe(201)
  expect(created.headers.get('location')).toStartWith(`${acme.url}/Users/`)
  const config = await readJson(await call(`${acme.url}/ServiceProviderConfig`, acme.token))
  expect(config.filter.maxResults).toBe(5)
  const schemas = await readJson(await call(`${acme.url}/Schemas`, acme.token))
  expect(schemas.Resources.map((s: { id: string }) => s.id)).toContain('urn:example:badge')
  // A second tenant works at once too, and neither token opens the other's URL or the default's.
  const beta = server.createTenant('beta')
  expect((await call(`${beta.url}/Users`, beta.token)).status).toBe(200)
  await expectScimError(await call(`${beta.url}/Users`, acme.token), 401)
  await expectScimError(await call(`${server.url}/Users`, acme.token), 401)
  await expectScimError(await call(`${acme.url}/Users`, server.token), 401)
  expect(() => server.createTenant('acme')).toThrow('exists already')
  expect(() => server.createTenant('Bad Name')).toThrow('is not')
  expect(() => server.createTenant('gamma', { schemaPacks: ['nope'] })).toThrow('unknown pack')
})

test('createTenant refuses settings outside the bounds tenant add takes, and creates nothing', async () => {
  await using server = await startScimServer()
  expect(() => server.createTenant('zero', { maxResults: 0 })).toThrow('maxResults must be a whole number from 1 to')
  expect(() => server.createTenant('neg', { defaultCount: -1 })).toThrow('defaultCount must be a whole number')
  expect(() => server.createTenant('half', { rateLimit: 2.5 })).toThrow('rateLimit must be a whole number')
  const zero = server.createTenant('zero', { maxResults: 1 })
  const config = await readJson(await call(`${zero.url}/ServiceProviderConfig`, zero.token))
  expect(config.filter.maxResults).toBe(1)
})

test('startScimServer refuses a maxResults, defaultCount or rateLimit outside the bounds of their serve flags', async () => {
  await expect(startScimServer({ maxResults: 0 })).rejects.toThrow('maxResults must be a whole number from 1 to')
  await expect(startScimServer({ defaultCount: -1 })).rejects.toThrow('defaultCount must be a whole number')
  await expect(startScimServer({ rateLimit: 0.5 })).rejects.toThrow('rateLimit must be a whole number')
})

test('startScimServer refuses a baseUrl, durability, token or extra schema target serve could never take', async () => {
  await expect(startScimServer({ baseUrl: 'not a url' })).rejects.toThrow('baseUrl must be an absolute https://')
  await expect(startScimServer({ baseUrl: 'https://x.example/scim/v2?aadOptscim062020' })).rejects.toThrow(
    "baseUrl is the API's URL without a query or fragment"
  )
  await expect(startScimServer({ durability: 'bogus' as 'full' })).rejects.toThrow(
    "durability must be full or normal, got 'bogus'"
  )
  await expect(startScimServer({ token: '' })).rejects.toThrow('token must be one word')
  await expect(startScimServer({ token: 'has space' })).rejects.toThrow('token must be one word')
  const schema = {
    id: 'urn:example:params:scim:schemas:extension:foo:2.0:Foo',
    name: 'Foo',
    attributes: [],
  }
  const foo = [{ schema, resourceType: 'Foo' as 'User' }]
  await expect(startScimServer({ extraSchemas: foo })).rejects.toThrow(
    "extraSchemas[0].resourceType must be User or Group, got 'Foo'"
  )
  await using server = await startScimServer()
  expect(() => server.createTenant('acme', { extraSchemas: foo })).toThrow('resourceType must be User or Group')
})

test('startScimServer refuses a limit that is not a whole number above zero, or is past the maximum of its flag', async () => {
  // A maxRequestBytes of 0 made every POST a 413, a maxDepth of -1 refused every body.
  await expect(startScimServer({ limits: { maxRequestBytes: 0 } })).rejects.toThrow(
    'limits.maxRequestBytes must be a whole number from 1 to'
  )
  await expect(startScimServer({ limits: { maxDepth: -1 } })).rejects.toThrow('limits.maxDepth must be a whole number')
  await expect(startScimServer({ limits: { maxPatchOperations: 2.5 } })).rejects.toThrow('limits.maxPatchOperations')
  await expect(startScimServer({ limits: { maxBulkOperations: Number.NaN } })).rejects.toThrow(
    'limits.maxBulkOperations'
  )
  await expect(startScimServer({ limits: { maxDepth: 10_000 } })).rejects.toThrow('from 1 to 512, got 10000')
  // Below a flag's minimum stays allowed: small limits are how a test reaches them.
  await using small = await startScimServer({ limits: { maxRequestBytes: 100, dbMmapBytes: 0 } })
  expect(
    (await call(`${small.url}/Users`, small.token, 'POST', { schemas: [URN_USER], userName: 'x'.repeat(200) })).status
  ).toBe(413)
})

test('reset empties the tenants createTenant made as well, keeping them and their tokens', async () => {
  await using server = await startScimServer()
  const acme = server.createTenant('acme')
  const created = await call(`${acme.url}/Users`, acme.token, 'POST', { schemas: [URN_USER], userName: 'ada' })
  expect(created.status).toBe(201)
  await server.seed({ users: [{ userName: 'grace' }] })
  await server.reset()
  for (const [url, token] of [
    [acme.url, acme.token],
    [server.url, server.token],
  ] as const) {
    const list = await readJson(await call(`${url}/Users`, token))
    expect(list.totalResults).toBe(0)
  }
  expect((await call(`${acme.url}/Users`, acme.token, 'POST', { schemas: [URN_USER], userName: 'ada' })).status).toBe(
    201
  )
})
