// Tenants in the console: the picker, every page reading only the tenant its URL names, and the tenants page.
import { afterEach, describe, expect, test } from 'bun:test'
import {
  Browser,
  type ConsoleTestApp,
  form,
  ORIGIN,
  closeConsoleApps,
  type ConsoleStore,
  consoleStores,
  signedIn,
} from '../helpers/console'

const STORES = await consoleStores()
import { patchBody, URN_USER } from '../helpers/scim'

const signedInServed = (store: ConsoleStore) => signedIn(store, { served: true, csrfFrom: '/admin' })

/** A SCIM call as `token` to exactly `path` (a tenant prefix included). */
function scimAs(app: ConsoleTestApp, token: string, method: string, path: string, body?: unknown) {
  return app.handle(
    new Request(`${ORIGIN}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/scim+json; charset=utf-8' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
  )
}

/** Tenant `name` as `tenant add` makes it (row and token), with one user; returns that user's id and the token. */
async function tenantWithUser(app: ConsoleTestApp, name: string, userName: string) {
  const token = await app.addTenant(name)
  const res = await scimAs(app, token, 'POST', `/tenants/${name}/scim/v2/Users`, { schemas: [URN_USER], userName })
  expect(res.status).toBe(201)
  return { id: ((await res.json()) as { id: string }).id, token }
}

/** Reads a live stream until `count` journal events arrived (or it ended); returns their resource ids. */
async function liveIds(
  reader: { read(): Promise<{ value?: Uint8Array; done: boolean }> },
  count: number
): Promise<string[]> {
  const decoder = new TextDecoder()
  let text = ''
  const found = () => [...text.matchAll(/event: journal\ndata: (.+)\n\n/g)].map((m) => JSON.parse(m[1]!).resourceId)
  while (found().length < count) {
    const { value, done } = await reader.read()
    if (done) break
    text += decoder.decode(value)
  }
  return found()
}

for (const store of STORES)
  describe.skipIf(store.skip)(`console tenant picker (${store.name})`, () => {
    afterEach(closeConsoleApps)
    test('every page shows the tenant its URL names, with a picker listing every tenant', async () => {
      const { app, browser } = await signedInServed(store)
      await tenantWithUser(app, 'acme', 'ada@acme.example')
      await tenantWithUser(app, 'zeta', 'zed@zeta.example')
      for (const path of ['', '/users', '/groups', '/journal', '/tokens', '/tenants']) {
        const page = await (await browser.get(`/admin${path}?tenant=acme`)).text()
        const picker = /<select id="tenant-picker" name="tenant">(.*?)<\/select>/s.exec(page)![1]!
        expect([...picker.matchAll(/<option value="([^"]+)"/g)].map((m) => m[1])).toEqual(['acme', 'default', 'zeta'])
        expect(picker).toContain('<option value="acme" selected>')
        // The picker switches to the same page of the chosen tenant; every link keeps the tenant.
        expect(page).toContain(`<form class="picker" method="get" action="/admin${path}">`)
        expect(page).toContain('href="/admin/users?tenant=acme"')
        expect(page).toContain('href="/admin/tokens?tenant=acme"')
      }
      const dashboard = await (await browser.get('/admin?tenant=acme')).text()
      expect(dashboard).toContain('tenant acme')
      expect(dashboard).toMatch(/id="count-User">Users<\/h2><p class="n">1</)
    })

    test('a tenant that does not exist is a 404 page, on every page and the live stream', async () => {
      const { browser } = await signedInServed(store)
      for (const path of ['', '/users', '/user?id=x', '/journal', '/tokens']) {
        const res = await browser.get(`/admin${path}${path.includes('?') ? '&' : '?'}tenant=nope`)
        expect(res.status).toBe(404)
        expect(await res.text()).toContain('There is no tenant named nope.')
      }
      expect((await browser.get('/admin/live?tenant=nope')).status).toBe(404)
      expect((await browser.get('/admin/users?tenant=..%2Fdefault')).status).toBe(404)
      expect((await browser.get('/admin/users?tenant=default&tenant=acme')).status).toBe(404)
    })

    test("one tenant's users, details and journal are never on another tenant's pages", async () => {
      const { app, browser } = await signedInServed(store)
      const ada = await tenantWithUser(app, 'acme', 'ada@acme.example')
      const zed = await tenantWithUser(app, 'zeta', 'zed@zeta.example')
      await scimAs(
        app,
        ada.token,
        'PATCH',
        `/tenants/acme/scim/v2/Users/${ada.id}`,
        patchBody({ op: 'replace', path: 'displayName', value: 'Ada of Acme' })
      )
      const acmeUsers = await (await browser.get('/admin/users?tenant=acme')).text()
      expect(acmeUsers).toContain('ada@acme.example')
      expect(acmeUsers).not.toContain('zed@zeta.example')
      expect(acmeUsers).toContain(`href="/admin/user?tenant=acme&amp;id=${ada.id}"`)
      const search = await (await browser.get('/admin/users?tenant=zeta&q=ada')).text()
      expect(search).toContain('0 users match.')
      expect(search).toContain('<input type="hidden" name="tenant" value="zeta">')
      expect((await (await browser.get('/admin/users')).text()).includes('@acme.example')).toBe(false)

      const detail = await browser.get(`/admin/user?tenant=acme&id=${ada.id}`)
      expect(detail.status).toBe(200)
      const history = await detail.text()
      expect(history).toContain('Ada of Acme')
      expect(history).toContain(`href="/admin/journal?tenant=acme&amp;type=User&amp;id=${ada.id}"`)
      expect((await browser.get(`/admin/user?tenant=zeta&id=${ada.id}`)).status).toBe(404)
      expect((await browser.get(`/admin/user?id=${ada.id}`)).status).toBe(404)

      const acmeJournal = await (await browser.get('/admin/journal?tenant=acme')).text()
      expect(acmeJournal).toContain(ada.id)
      expect(acmeJournal).not.toContain(zed.id)
      expect(acmeJournal).toContain(`href="/admin/journal/export?tenant=acme"`)
      const zetaJournal = await (await browser.get(`/admin/journal?tenant=zeta&id=${ada.id}`)).text()
      expect(zetaJournal).toContain('No entry matches.')
      const exported = await (await browser.get('/admin/journal/export?tenant=zeta')).text()
      expect(exported).toContain(zed.id)
      expect(exported).not.toContain(ada.id)
    })

    test("tokens are issued to, listed for and revoked in the page's tenant only", async () => {
      const { app, browser, csrf } = await signedInServed(store)
      await tenantWithUser(app, 'acme', 'ada@acme.example')
      await tenantWithUser(app, 'zeta', 'zed@zeta.example')
      const issued = await browser.post(
        '/admin/tokens/issue?tenant=acme',
        form({ csrf, label: 'acme-entra', expires: '0' })
      )
      expect(issued.status).toBe(201)
      const page = await issued.text()
      expect(page).toContain(`<code id="tenant-url">${ORIGIN}/tenants/acme/scim/v2</code>`)
      const [id] = await app.rows<{ id: string; tenant: string }>(
        "SELECT id, tenant FROM tokens WHERE label = 'acme-entra'"
      )
      if (!id) throw new Error('the token was not stored')
      expect(id.tenant).toBe('acme')
      expect(await (await browser.get('/admin/tokens?tenant=acme')).text()).toContain(`<code>${id.id}</code>`)
      expect(await (await browser.get('/admin/tokens?tenant=zeta')).text()).not.toContain(id.id)
      expect(await (await browser.get('/admin/tokens')).text()).not.toContain(id.id)
      const refused = await browser.post('/admin/tokens/revoke?tenant=zeta', form({ csrf, id: id.id, confirm: 'yes' }))
      expect(refused.status).toBe(404)
      const revoked = await browser.post('/admin/tokens/revoke?tenant=acme', form({ csrf, id: id.id, confirm: 'yes' }))
      expect(revoked.headers.get('location')).toBe(`/admin/tokens?tenant=acme&revoked=${id.id}`)
      expect(await app.count('tokens', 'id = $1', id.id)).toBe(0)
    })

    test('a named tenant is offered only the scopes its tokens may have; the default one metrics too', async () => {
      const { app, browser } = await signedInServed(store)
      await app.addTenant('acme')
      const scopes = async (path: string) => {
        const page = await (await browser.get(path)).text()
        const select = /<select name="scope">(.*?)<\/select>/s.exec(page)![1]!
        return [...select.matchAll(/<option value="([^"]+)"/g)].map((m) => m[1])
      }
      expect(await scopes('/admin/tokens?tenant=acme')).toEqual(['provision', 'read'])
      expect(await scopes('/admin/tokens')).toEqual(['provision', 'read', 'metrics'])
    })

    test("the live stream of a tenant sends its entries and none of another tenant's", async () => {
      const { app, browser } = await signedInServed(store)
      const acme = await tenantWithUser(app, 'acme', 'ada@acme.example')
      const zeta = await tenantWithUser(app, 'zeta', 'zed@zeta.example')
      const page = await (await browser.get('/admin?tenant=zeta')).text()
      expect(page).toMatch(/data-live="\/admin\/live\?tenant=zeta&amp;after=\d+"/)
      expect(page).toContain('data-user="/admin/user?tenant=zeta"')
      const res = await browser.get('/admin/live?tenant=zeta')
      expect(res.status).toBe(200)
      const reader = res.body!.getReader()
      const other = await scimAs(app, acme.token, 'POST', '/tenants/acme/scim/v2/Users', {
        schemas: [URN_USER],
        userName: 'bob@acme.example',
      })
      const mine = await scimAs(app, zeta.token, 'POST', '/tenants/zeta/scim/v2/Users', {
        schemas: [URN_USER],
        userName: 'zoe@zeta.example',
      })
      const ids = await liveIds(reader, 1)
      await reader.cancel()
      expect(ids).toEqual([((await mine.json()) as { id: string }).id])
      expect(ids).not.toContain(((await other.json()) as { id: string }).id)
    })
  })

for (const store of STORES)
  describe.skipIf(store.skip)(`console tenants page (${store.name})`, () => {
    afterEach(closeConsoleApps)
    test('lists every tenant with its counts, packs, creation time and Tenant URL', async () => {
      const { app, browser } = await signedInServed(store)
      await tenantWithUser(app, 'acme', 'ada@acme.example')
      const page = await (await browser.get('/admin/tenants')).text()
      const rows = [...page.matchAll(/<tr><td data-label="Name">(.*?)<\/tr>/gs)].map((m) => m[1]!)
      expect(rows.length).toBe(2)
      expect(rows[0]).toContain('<a href="/admin?tenant=acme">acme</a>')
      expect(rows[0]).toContain('<td data-label="Users">1</td><td data-label="Groups">0</td>')
      expect(rows[0]).toContain(`<code id="url-acme">${ORIGIN}/tenants/acme/scim/v2</code>`)
      expect(rows[0]).toMatch(/<td data-label="Created">\d{4}-\d\d-\d\dT/)
      expect(rows[1]).toContain(`<code id="url-default">${ORIGIN}/scim/v2</code>`)
    })

    test('a tenant whose schemas no longer load is still listed, without counts; its pages say why', async () => {
      const { app, browser } = await signedInServed(store)
      // As a newer build might have stored it: a pack this build does not know.
      await app.rows(
        `INSERT INTO tenants (name, packs, created) VALUES ('future', '["nosuch"]', '2026-01-01T00:00:00.000Z')`
      )
      await app.tenantsChanged()
      const res = await browser.get('/admin/tenants')
      expect(res.status).toBe(200)
      const row = /<tr><td data-label="Name"><a href="\/admin\?tenant=future">(.*?)<\/tr>/s.exec(await res.text())![1]!
      expect(row).toContain('<td data-label="Users"><span class="muted">—</span></td>')
      expect(row).toContain('not served: its schemas do not load')
      const users = await browser.get('/admin/users?tenant=future')
      expect(users.status).toBe(503)
      expect(await users.text()).toContain('tenant future cannot be served')
      // Its journal is there all the same: the live stream opens.
      const live = await browser.get('/admin/live?tenant=future')
      expect(live.status).toBe(200)
      await live.body!.cancel()
    })

    test('creates a tenant with its packs, served at once; its first token is issued on its tokens page', async () => {
      const { app, browser, csrf } = await signedInServed(store)
      const res = await browser.post(
        '/admin/tenants/create',
        `${form({ csrf, name: 'beta' })}&pack=alvao&pack=AtMoS&pack=alvao`
      )
      expect(res.status).toBe(303)
      expect(res.headers.get('location')).toBe('/admin/tenants?created=beta')
      const page = await (await browser.get(res.headers.get('location')!)).text()
      expect(page).toContain('Tenant beta created.')
      expect(page).toContain('href="/admin/tokens?tenant=beta">Issue its first token</a>')
      expect(page).toContain('<td data-label="Packs">alvao, atmos</td>')
      expect(page).toContain(`<code id="url-beta">${ORIGIN}/tenants/beta/scim/v2</code>`)
      // No token yet: the tenant gets its first one where the admin can copy it.
      expect(await app.count('tokens', "tenant = 'beta'")).toBe(0)
      expect(await (await browser.get('/admin/tokens?tenant=beta')).text()).toContain('No stored tokens.')

      const issued = await browser.post(
        '/admin/tokens/issue?tenant=beta',
        form({ csrf, expires: '0', scope: 'provision' })
      )
      expect(issued.status).toBe(201)
      const token = /<code id="new-token">([^<]+)<\/code>/.exec(await issued.text())![1]!
      const users = await scimAs(app, token, 'GET', '/tenants/beta/scim/v2/Users')
      expect(users.status).toBe(200)
      expect(((await users.json()) as { totalResults: number }).totalResults).toBe(0)
      // Its packs are served: the alvao extension is among its schemas, not among the default tenant's.
      const schemas = await (await scimAs(app, token, 'GET', '/tenants/beta/scim/v2/Schemas')).text()
      const defaults = await (await app.scim('GET', '/Schemas')).text()
      expect(schemas.length).toBeGreaterThan(defaults.length)
      // And the token is this tenant's only.
      expect((await scimAs(app, token, 'GET', '/scim/v2/Users')).status).toBe(401)
    })

    test('a bad name, a name taken or an unknown pack shows the error of `tenant add` and creates nothing', async () => {
      const { app, browser, csrf } = await signedInServed(store)
      const count = () => app.count('tenants')
      const before = count()
      for (const [fields, error] of [
        [form({ csrf, name: 'Bad Name' }), 'tenant name &#39;Bad Name&#39; is not [a-z0-9][a-z0-9-]{0,62}'],
        [form({ csrf, name: 'default' }), 'tenant default exists already'],
        [form({ csrf, name: '' }), 'tenant name &#39;&#39; is not'],
        // PostgreSQL cannot hold the NUL: the name is refused before it reaches a statement.
        [form({ csrf, name: 'a\u0000b' }), 'is not [a-z0-9][a-z0-9-]{0,62}'],
        [`${form({ csrf, name: 'gamma' })}&pack=nosuch`, 'unknown pack &quot;nosuch&quot;; known packs: alertmedia'],
      ] as const) {
        const res = await browser.post('/admin/tenants/create', fields)
        expect(res.status).toBe(400)
        const page = await res.text()
        expect(page).toContain('<p class="notice bad" role="alert">Not created: ')
        expect(page).toContain(error)
      }
      expect(count()).toEqual(before)
      // The refused form comes back as sent.
      const kept = await (
        await browser.post('/admin/tenants/create', `${form({ csrf, name: 'Ünknown' })}&pack=alvao`)
      ).text()
      expect(kept).toContain('name="name" value="Ünknown"')
      expect(kept).toContain('value="alvao" checked>')
    })

    test('creating needs a session and its CSRF token', async () => {
      const { app, browser } = await signedInServed(store)
      expect((await browser.post('/admin/tenants/create', form({ name: 'beta' }))).status).toBe(403)
      expect((await browser.post('/admin/tenants/create', form({ name: 'beta', csrf: 'x'.repeat(43) }))).status).toBe(
        403
      )
      const stranger = await new Browser(app).post('/admin/tenants/create', form({ name: 'beta' }))
      expect(stranger.status).toBe(303)
      expect(stranger.headers.get('location')).toBe('/admin/sign-in')
      expect(await app.count('tenants', "name = 'beta'")).toBe(0)
    })
  })
