// Tenants over HTTP in-process: routing under /tenants/NAME/scim/v2, and isolation in every direction.
import { describe, expect, test } from 'bun:test'
import { makeTestApp, TEST_TOKEN, type TestApp } from '../helpers/app'
import { expectScimError, patchBody, readJson, URN_ENTERPRISE, URN_GROUP, URN_USER } from '../helpers/scim'
import { addTenant, requestAs, type TestTenant } from '../helpers/tenants'

const user = (userName: string, extra: object = {}) => ({ schemas: [URN_USER], userName, ...extra })

/** The default tenant as a TestTenant: its requests carry TEST_TOKEN to /scim/v2. */
function defaultTenant(app: TestApp): TestTenant {
  return { name: 'default', token: TEST_TOKEN, request: app.request }
}

async function create(t: TestTenant, path: string, body: object): Promise<Record<string, any>> {
  const res = await t.request('POST', path, body)
  expect(res.status).toBe(201)
  return readJson(res)
}

function setup() {
  const app = makeTestApp({ tenantRefreshMs: 0 })
  const a = addTenant(app, 'acme', { packs: ['alertmedia'] })
  const b = addTenant(app, 'beta')
  return { app, a, b, d: defaultTenant(app) }
}

describe('tenants: routing', () => {
  test('a named tenant serves its SCIM API under /tenants/NAME/scim/v2, meta.location and Location there', async () => {
    const { a } = setup()
    const res = await a.request('POST', '/scim/v2/Users', user('ann@example.com'))
    expect(res.status).toBe(201)
    const body = await readJson(res)
    expect(body.meta.location).toBe(`http://localhost/tenants/acme/scim/v2/Users/${body.id}`)
    expect(res.headers.get('location')).toBe(body.meta.location)
    const config = await readJson(await a.request('GET', '/scim/v2/ServiceProviderConfig'))
    expect(config.meta.location).toBe('http://localhost/tenants/acme/scim/v2/ServiceProviderConfig')
  })

  test('a respelled endpoint (/users) and a doubled slash stay in the tenant they were sent to', async () => {
    const { a } = setup()
    await create(a, '/scim/v2/Users', user('case@example.com'))
    for (const path of ['/scim/v2/users', '/scim/v2//Users', '/scim/v2/Users/']) {
      const list = await readJson(await a.request('GET', path))
      expect(list.totalResults, path).toBe(1)
    }
  })

  test("/Schemas and /ResourceTypes of a tenant show exactly its schemas (its pack, not another tenant's)", async () => {
    const { a, b, d } = setup()
    const ids = async (t: TestTenant) =>
      ((await readJson(await t.request('GET', '/scim/v2/Schemas'))).Resources as { id: string }[]).map((s) => s.id)
    const pack = 'urn:ietf:params:scim:schemas:extension:alertmedia:2.0:CustomAttribute:User'
    expect(await ids(a)).toContain(pack)
    expect(await ids(b)).not.toContain(pack)
    expect(await ids(d)).not.toContain(pack)
    const types = await readJson(await a.request('GET', '/scim/v2/ResourceTypes/User'))
    expect(types.schemaExtensions.map((e: { schema: string }) => e.schema)).toContain(pack)
    expect(types.meta.location).toBe('http://localhost/tenants/acme/scim/v2/ResourceTypes/User')
  })

  test('a name outside [a-z0-9][a-z0-9-]{0,62}, the default under a second URL, or a path outside /scim/v2: 404 SCIM Error', async () => {
    const { app } = setup()
    for (const path of [
      '/tenants/Acme/scim/v2/Users',
      '/tenants/-x/scim/v2/Users',
      `/tenants/${'a'.repeat(64)}/scim/v2/Users`,
      '/tenants/default/scim/v2/Users',
      '/tenants/acme/healthz',
      '/tenants/acme',
    ]) {
      await expectScimError(await app.request('GET', path), 404)
    }
  })

  test('an unknown tenant is a 401 SCIM Error: no token belongs to it, and anonymous clients learn no tenant names', async () => {
    const { app, a } = setup()
    await expectScimError(await requestAs(app, a.token, 'GET', '/tenants/nobody/scim/v2/Users'), 401)
    await expectScimError(await app.request('GET', '/tenants/nobody/scim/v2/Users'), 401)
  })

  test('a removed tenant is gone at once for this process: its token gets a SCIM Error, never its resources', async () => {
    const { app, a } = setup()
    await create(a, '/scim/v2/Users', user('gone@example.com'))
    app.server.sqlite.run("DELETE FROM tokens WHERE tenant = 'acme'")
    app.server.sqlite.run("DELETE FROM resources WHERE tenant = 'acme'")
    app.server.sqlite.run("DELETE FROM tenants WHERE name = 'acme'")
    app.server.tenants.refresh(true)
    expect(app.server.tenants.get('acme')).toBeUndefined()
    // 404 while the token list still holds the token (it follows the table within a second), then 401.
    const res = await a.request('GET', '/scim/v2/Users')
    await expectScimError(res, res.status === 404 ? 404 : 401)
  })
})

describe('tenants: isolation', () => {
  test('a token of one tenant is 401 on every other, the default tenant included, both ways', async () => {
    const { app, a, b, d } = setup()
    const all = [a, b, d]
    for (const owner of all) {
      for (const other of all) {
        const prefix = other.name === 'default' ? '' : `/tenants/${other.name}`
        const res = await requestAs(app, owner.token, 'GET', `${prefix}/scim/v2/Users`)
        if (owner === other) expect(res.status).toBe(200)
        else await expectScimError(res, 401)
      }
    }
  })

  test('an id of tenant A is 404 on tenant B: GET, PUT, PATCH, DELETE, and it is still there on A', async () => {
    const { a, b, d } = setup()
    for (const [owner, other] of [
      [a, b],
      [b, a],
      [a, d],
      [d, a],
    ] as const) {
      const u = await create(owner, '/scim/v2/Users', user(`u-${owner.name}-${other.name}@example.com`))
      const g = await create(owner, '/scim/v2/Groups', {
        schemas: [URN_GROUP],
        displayName: `g-${owner.name}-${other.name}`,
      })
      for (const [path, body] of [
        [`/scim/v2/Users/${u.id}`, user('x@example.com')],
        [`/scim/v2/Groups/${g.id}`, { schemas: [URN_GROUP], displayName: 'x' }],
      ] as const) {
        await expectScimError(await other.request('GET', path), 404)
        await expectScimError(await other.request('PUT', path, body), 404)
        await expectScimError(
          await other.request('PATCH', path, patchBody({ op: 'replace', path: 'displayName', value: 'y' })),
          404
        )
        await expectScimError(await other.request('DELETE', path), 404)
        expect((await owner.request('GET', path)).status).toBe(200)
      }
    }
  })

  test('the same userName in two tenants is fine; filters, sort and /.search see only their own tenant', async () => {
    const { a, b, d } = setup()
    for (const t of [a, b, d]) {
      await create(t, '/scim/v2/Users', user('same@example.com', { externalId: 'ext-1', displayName: t.name }))
      await create(t, '/scim/v2/Users', user(`only-${t.name}@example.com`, { displayName: t.name }))
    }
    for (const t of [a, b, d]) {
      const list = await readJson(
        await t.request('GET', '/scim/v2/Users?filter=userName%20eq%20%22same@example.com%22')
      )
      expect(list.totalResults).toBe(1)
      expect(list.Resources[0].displayName).toBe(t.name)
      const byExternal = await readJson(await t.request('GET', '/scim/v2/Users?filter=externalId%20eq%20%22ext-1%22'))
      expect(byExternal.Resources.map((r: any) => r.displayName)).toEqual([t.name])
      const sorted = await readJson(await t.request('GET', '/scim/v2/Users?sortBy=userName&filter=userName%20pr'))
      expect(sorted.totalResults).toBe(2)
      expect(sorted.Resources.every((r: any) => r.displayName === t.name)).toBe(true)
      const search = { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], filter: 'userName co "only-"' }
      for (const path of ['/scim/v2/Users/.search', '/scim/v2/.search']) {
        const found = await readJson(await t.request('POST', path, search))
        expect(found.Resources.map((r: any) => r.userName)).toEqual([`only-${t.name}@example.com`])
      }
    }
  })

  test("a member or manager naming another tenant's user is refused exactly as an unknown id", async () => {
    const { a, b } = setup()
    const foreign = await create(b, '/scim/v2/Users', user('foreign@example.com'))
    const unknownMember = await a.request('POST', '/scim/v2/Groups', {
      schemas: [URN_GROUP],
      displayName: 'g1',
      members: [{ value: crypto.randomUUID() }],
    })
    const foreignMember = await a.request('POST', '/scim/v2/Groups', {
      schemas: [URN_GROUP],
      displayName: 'g2',
      members: [{ value: foreign.id }],
    })
    expect(foreignMember.status).toBe(unknownMember.status)
    const unknownBody = await readJson(unknownMember)
    await expectScimError(
      foreignMember,
      unknownBody.status === undefined ? 400 : Number(unknownBody.status),
      unknownBody.scimType
    )
    const g = await create(a, '/scim/v2/Groups', { schemas: [URN_GROUP], displayName: 'g3' })
    const patched = await a.request(
      'PATCH',
      `/scim/v2/Groups/${g.id}`,
      patchBody({ op: 'add', path: 'members', value: [{ value: foreign.id }] })
    )
    expect(patched.status).toBe(unknownMember.status)
    const manager = await a.request(
      'POST',
      '/scim/v2/Users',
      user('report@example.com', {
        schemas: [URN_USER, URN_ENTERPRISE],
        [URN_ENTERPRISE]: { manager: { value: foreign.id } },
      })
    )
    const unknownManager = await a.request(
      'POST',
      '/scim/v2/Users',
      user('report2@example.com', {
        schemas: [URN_USER, URN_ENTERPRISE],
        [URN_ENTERPRISE]: { manager: { value: crypto.randomUUID() } },
      })
    )
    expect(manager.status).toBe(unknownManager.status)
    expect(manager.status).toBeGreaterThanOrEqual(400)
    expect(manager.status).toBeLessThan(500)
    // Nothing of b's user shows in a: its member list and a's lists stay empty of it.
    const members = await readJson(await a.request('GET', `/scim/v2/Groups/${g.id}`))
    expect(members.members ?? []).toEqual([])
    const users = await readJson(await a.request('GET', '/scim/v2/Users'))
    expect(users.totalResults).toBe(0)
  })

  test('per-tenant page limits show in its ServiceProviderConfig and cap its lists; the default keeps the flags', async () => {
    const app = makeTestApp({ tenantRefreshMs: 0 })
    const small = addTenant(app, 'small', { settings: { maxResults: 2, defaultCount: 1 } })
    const config = await readJson(await small.request('GET', '/scim/v2/ServiceProviderConfig'))
    expect(config.filter.maxResults).toBe(2)
    expect(config.pagination.defaultPageSize).toBe(1)
    const base = await readJson(await app.request('GET', '/scim/v2/ServiceProviderConfig'))
    expect(base.filter.maxResults).toBe(1000)
    for (let i = 0; i < 3; i++) await create(small, '/scim/v2/Users', user(`p${i}@example.com`))
    expect((await readJson(await small.request('GET', '/scim/v2/Users'))).Resources.length).toBe(1)
    expect((await readJson(await small.request('GET', '/scim/v2/Users?count=50'))).Resources.length).toBe(2)
  })

  test("a tenant's rate limit overrides the server's, for its tokens only", async () => {
    const app = makeTestApp({ tenantRefreshMs: 0 })
    const slow = addTenant(app, 'slow', { settings: { rateLimit: 1 } })
    const statuses = []
    for (let i = 0; i < 4; i++) statuses.push((await slow.request('GET', '/scim/v2/Users')).status)
    expect(statuses).toContain(429)
    for (let i = 0; i < 4; i++) expect((await app.request('GET', '/scim/v2/Users')).status).toBe(200)
  })

  test('a strict tenant refuses IdP PATCH deviations with 400 invalidSyntax; others keep accepting them', async () => {
    const app = makeTestApp({ tenantRefreshMs: 0 })
    const strict = addTenant(app, 'strict', { settings: { strictPatch: true } })
    const lenient = addTenant(app, 'lenient')
    for (const t of [strict, lenient, defaultTenant(app)]) {
      const u = await create(t, '/scim/v2/Users', user('patch@example.com'))
      const entra = patchBody({ op: 'Replace', path: 'active', value: false })
      const rfc = patchBody({ op: 'replace', path: 'active', value: false })
      const echoed = patchBody({ op: 'replace', value: { id: u.id, active: true } })
      if (t === strict) {
        const refused = await expectScimError(
          await t.request('PATCH', `/scim/v2/Users/${u.id}`, entra),
          400,
          'invalidSyntax'
        )
        expect(refused.detail).toContain('op-case')
        await expectScimError(await t.request('PATCH', `/scim/v2/Users/${u.id}`, echoed), 400, 'invalidSyntax')
        expect((await t.request('PATCH', `/scim/v2/Users/${u.id}`, rfc)).status).toBe(200)
      } else {
        expect((await t.request('PATCH', `/scim/v2/Users/${u.id}`, entra)).status).toBe(200)
        expect((await t.request('PATCH', `/scim/v2/Users/${u.id}`, echoed)).status).toBe(200)
      }
    }
  })

  test("/Bulk of a tenant writes into that tenant only, its locations under the tenant's URL", async () => {
    const { a, b, d } = setup()
    const res = await a.request('POST', '/scim/v2/Bulk', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
      Operations: [
        { method: 'POST', path: '/Users', bulkId: 'u', data: user('bulk@example.com') },
        {
          method: 'POST',
          path: '/Groups',
          bulkId: 'g',
          data: { schemas: [URN_GROUP], displayName: 'bulk', members: [{ value: 'bulkId:u' }] },
        },
      ],
    })
    const body = await readJson(res)
    expect(body.Operations.map((o: { status: string }) => o.status)).toEqual(['201', '201'])
    for (const o of body.Operations) expect(o.location).toStartWith('http://localhost/tenants/acme/scim/v2/')
    expect((await readJson(await a.request('GET', '/scim/v2/Users'))).totalResults).toBe(1)
    for (const t of [b, d]) expect((await readJson(await t.request('GET', '/scim/v2/Users'))).totalResults).toBe(0)
  })
})
