// The front door: one parse of the request target, canonical paths, and what unrouted requests get.
import { describe, expect, test } from 'bun:test'
import { canonicalPath, parseTarget, targetProblem } from '../../src/http/front-door'
import { RouteTable } from '../../src/http/route-fallback'
import { makeTestApp, TEST_TOKEN } from '../helpers/app'
import { expectScimError, readJson } from '../helpers/scim'
import { addTenant } from '../helpers/tenants'

describe('parseTarget', () => {
  test.each([
    ['http://x/healthz?/scim/v2/Users', 'http://x', '/healthz', '?/scim/v2/Users'],
    ['https://ab/scim/v2/Users', 'https://ab', '/scim/v2/Users', ''],
    ['http://[::1]:8080/a?b?c', 'http://[::1]:8080', '/a', '?b?c'],
    ['http://host', 'http://host', '/', ''],
    // Bun's URL for a request with an empty or unusable Host is the bare target.
    ['/scim/v2/Users?x', '', '/scim/v2/Users', '?x'],
  ])('%s', (url, origin, path, query) => {
    expect(parseTarget(url)).toEqual({ origin, path, query })
  })

  test('fragments and malformed percent-encoding are problems; encoded text is not', () => {
    expect(targetProblem('http://h/a#b', parseTarget('http://h/a#b'))).toContain('fragment')
    expect(targetProblem('http://h/a/%FF', parseTarget('http://h/a/%FF'))).toContain('percent')
    expect(targetProblem('http://h/a/%C0%AF', parseTarget('http://h/a/%C0%AF'))).toContain('percent')
    expect(targetProblem('http://h/a/%C3%A9?%FF', parseTarget('http://h/a/%C3%A9?%FF'))).toBeUndefined()
  })

  test('canonicalPath collapses slashes and drops a trailing one', () => {
    expect(canonicalPath('/scim/v2//Users')).toBe('/scim/v2/Users')
    expect(canonicalPath('/healthz/')).toBe('/healthz')
    expect(canonicalPath('/')).toBe('/')
  })
})

describe('RouteTable', () => {
  const table = new RouteTable([
    { method: 'GET', path: '/scim/v2/Users' },
    { method: 'POST', path: '/scim/v2/Users' },
    { method: 'GET', path: '/scim/v2/Users/:id' },
  ])
  test('respells static segments only, keeping ids as sent', () => {
    expect(table.lookup('GET', '/scim/v2/users/AbC').respelled).toBe('/scim/v2/Users/AbC')
    expect(table.lookup('GET', '/scim/v2/Users/AbC').respelled).toBeUndefined()
  })
  test('lists the methods a path has', () => {
    expect(table.lookup('DELETE', '/scim/v2/Users').allowed).toEqual(['GET', 'HEAD', 'POST'])
    expect(table.lookup('GET', '/nowhere').allowed).toEqual([])
  })
})

describe('through the app', () => {
  const { request, handle } = makeTestApp()
  const anonymous = (url: string, init: RequestInit = {}) => handle(new Request(url, init))

  test('a short Host with a path in the query opens nothing', async () => {
    const res = await anonymous('http://x/healthz?/scim/v2/Users')
    expect(res.status).toBe(200)
    expect(await res.text()).toBe('ok\n')
    const post = await anonymous('http://abc/healthz?/scim/v2/Users', {
      method: 'POST',
      body: '{"userName":"intruder@evil"}',
      headers: { 'content-type': 'application/scim+json' },
    })
    expect(post.status).toBe(405)
    const users = await readJson(await request('GET', '/scim/v2/Users'))
    expect(users.totalResults).toBe(0)
  })

  test('a short Host with the right token is routed by its real path', async () => {
    const res = await anonymous('http://scm/scim/v2/Users', { headers: { authorization: `Bearer ${TEST_TOKEN}` } })
    expect(res.status).toBe(200)
    const created = await anonymous('https://x/scim/v2/Users', {
      method: 'POST',
      body: '{"userName":"short@host"}',
      headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/scim+json' },
    })
    expect(created.status).toBe(201)
    const body = await readJson(created)
    expect(body.meta.location).toBe(`https://x/scim/v2/Users/${body.id}`)
  })

  test('a trailing slash on the open path is the open path; on others it needs a token', async () => {
    expect(await (await anonymous('http://localhost/healthz/')).text()).toBe('ok\n')
    expect((await anonymous('http://localhost/scim/v2/Users/')).status).toBe(401)
  })

  test('endpoints in any letter case', async () => {
    await request('POST', '/scim/v2/Users', { userName: 'case@x' })
    const res = await request('GET', '/scim/v2/users?filter=userName%20eq%20%22case@x%22')
    expect(res.status).toBe(200)
    expect((await readJson(res)).totalResults).toBe(1)
    expect((await request('GET', '/scim/v2/serviceproviderconfig')).status).toBe(200)
  })

  test('OPTIONS and other unserved methods get 405 with Allow', async () => {
    const res = await request('OPTIONS', '/scim/v2/Users')
    await expectScimError(res, 405)
    expect(res.headers.get('allow')).toBe('GET, HEAD, POST')
  })

  test.each(['/scim/v2/Schemas/%FF', '/scim/v2/Schemas/%E0', '/scim/v2/ResourceTypes/%C0%AF', '/scim/v2/Users/%FF'])(
    'malformed percent-encoding %s is a 400 invalidSyntax',
    async (path) => {
      await expectScimError(await request('GET', path), 400, 'invalidSyntax')
    }
  )
})

describe("a named tenant's paths, routed as they came", () => {
  const app = makeTestApp()
  const acme = addTenant(app, 'acme')
  const anonymous = (url: string, init: RequestInit = {}) => app.handle(new Request(url, init))
  const as = (token: string, url: string, init: RequestInit = {}) =>
    anonymous(url, { ...init, headers: { authorization: `Bearer ${token}`, ...init.headers } })

  test('a short Host with an open path in the query opens nothing of the tenant', async () => {
    await expectScimError(await anonymous('http://x/tenants/acme/scim/v2/Users?/healthz'), 401)
    await expectScimError(await anonymous('http://x/tenants/acme/healthz?/scim/v2/Users'), 404)
    await expectScimError(await anonymous('http://x/tenants/acme/scim/v2/Users?/scim/v2/Events/jwks.json'), 401)
  })

  test("the tenant's JWKS is open under its prefix; an unknown tenant's is a 404", async () => {
    const keys = await anonymous('http://localhost/tenants/acme/scim/v2/Events/jwks.json')
    expect(keys.status).toBe(200)
    expect(((await keys.json()) as { keys: unknown[] }).keys.length).toBeGreaterThan(0)
    await expectScimError(await anonymous('http://localhost/tenants/nobody/scim/v2/Events/jwks.json'), 404)
  })

  test("another tenant's token, or none, is refused; the tenant's own sees only its data", async () => {
    await acme.request('POST', '/scim/v2/Users', { userName: 'only@acme' })
    await expectScimError(await as(TEST_TOKEN, 'http://localhost/tenants/acme/scim/v2/Users'), 401)
    const own = await readJson(await as(acme.token, 'http://localhost/tenants/acme/scim/v2/Users'))
    expect(own.Resources.map((u: { userName: string }) => u.userName)).toEqual(['only@acme'])
    expect((await readJson(await app.request('GET', '/scim/v2/Users'))).totalResults).toBe(0)
  })

  test('doubled slashes, a trailing slash, a short Host and letter case keep the tenant', async () => {
    for (const url of [
      'http://localhost/tenants/acme/scim/v2//Users/',
      'http://ab/tenants/acme/scim/v2/Users',
      'http://localhost/tenants/acme/scim/v2/users',
    ]) {
      const res = await as(acme.token, url)
      expect(res.status).toBe(200)
      const body = await readJson(res)
      expect(body.Resources.map((u: { userName: string }) => u.userName)).toEqual(['only@acme'])
    }
    await expectScimError(await as(TEST_TOKEN, 'http://localhost/tenants/acme/scim/v2//Users/'), 401)
  })

  test('a tenant prefix in another letter case names no tenant: 404, not the default tenant under an alias', async () => {
    await acme.request('POST', '/scim/v2/Users', { userName: 'case@acme' })
    for (const url of ['http://localhost/Tenants/acme/scim/v2/Users', 'http://localhost/TENANTS/acme/scim/v2/Users']) {
      await expectScimError(await as(TEST_TOKEN, url), 404)
      await expectScimError(await as(acme.token, url), 401)
    }
  })

  test("meta.location and the route label name the tenant's URL and the route as written", async () => {
    const res = await as(acme.token, 'https://scim.example.com/tenants/acme/scim/v2/Users', {
      method: 'POST',
      body: '{"userName":"where@acme"}',
      headers: { 'content-type': 'application/scim+json' },
    })
    const body = await readJson(res)
    expect(body.meta.location).toBe(`https://scim.example.com/tenants/acme/scim/v2/Users/${body.id}`)
    const metrics = await app.server.metrics.text()
    expect(metrics).toContain('tenant="acme",route="/scim/v2/Users",method="POST",status="201"')
    expect(metrics).not.toContain('route="/tenants/')
  })
})
