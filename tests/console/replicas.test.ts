// The console of two replicas on one PostgreSQL database: one session, one journal, one set of tokens and tenants.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { hashPassword } from '../../src/console/passwords'
import { createPgScimServer, type PgScimServer } from '../../src/server-pg'
import { pgAdminStore } from '../../src/store-pg/console-admins'
import { pgIssueToken } from '../../src/store-pg/tokens'
import { ADMIN, Browser, csrfOf, form, ORIGIN, PASSWORD } from '../helpers/console'
import { freshDatabase, type TestDatabase, testPostgres } from '../helpers/postgres'
import { URN_USER } from '../helpers/scim'

const server = await testPostgres()

/** `check` answered true within `ms` (asked every 25 ms): how "within a second" is checked without timing. */
async function within(ms: number, check: () => Promise<boolean>): Promise<boolean> {
  const until = Date.now() + ms
  for (;;) {
    if (await check()) return true
    if (Date.now() > until) return false
    await Bun.sleep(25)
  }
}

function scimAs(replica: PgScimServer, token: string, method: string, path: string, body?: unknown) {
  return replica.app.handle(
    new Request(`${ORIGIN}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
  )
}

/** The browser's cookies, sent to another replica: the same browser behind a load balancer. */
function sameBrowser(from: Browser, replica: PgScimServer): Browser {
  const other = new Browser(replica.app)
  for (const [k, v] of from.cookies) other.cookies.set(k, v)
  return other
}

describe.skipIf(!server)('console across replicas (postgres)', () => {
  let db: TestDatabase
  let a: PgScimServer
  let b: PgScimServer
  let token: string
  beforeAll(async () => {
    db = await freshDatabase(server!)
    ;[a, b] = await Promise.all([createPgScimServer({ db: db.url }), createPgScimServer({ db: db.url })])
    await pgAdminStore(db.sql).save(ADMIN, await hashPassword(PASSWORD), new Date().toISOString())
    token = (await pgIssueToken(db.sql, { tenant: 'default' })).token
    await Promise.all([a.tenantsChanged(), b.tenantsChanged()])
  })
  afterAll(async () => {
    await a?.close()
    await b?.close()
    await db?.drop()
  })

  test('a session started on one replica is valid on the other, and signing out on either ends it on both', async () => {
    const onA = new Browser(a.app)
    expect((await onA.signIn()).status).toBe(303)
    const onB = sameBrowser(onA, b)
    const page = await onB.get('/admin')
    expect(page.status).toBe(200)
    const csrf = csrfOf(await page.text())
    expect((await onB.post('/admin/sign-out', form({ csrf }))).status).toBe(303)
    const after = await onA.get('/admin')
    expect(after.status).toBe(303)
    expect(after.headers.get('location')).toBe('/admin/sign-in')
  })

  test('the live stream on one replica sends the entries another replica appends', async () => {
    const onA = new Browser(a.app)
    expect((await onA.signIn()).status).toBe(303)
    const stream = await onA.get('/admin/live')
    expect(stream.status).toBe(200)
    const reader = stream.body!.getReader()
    const created = await scimAs(b, token, 'POST', '/scim/v2/Users', { schemas: [URN_USER], userName: 'ada@b.example' })
    expect(created.status).toBe(201)
    const { id } = (await created.json()) as { id: string }
    const decoder = new TextDecoder()
    let text = ''
    while (!text.includes('event: journal')) {
      const { value, done } = await reader.read()
      if (done) break
      text += decoder.decode(value)
    }
    await reader.cancel()
    const data = JSON.parse(/event: journal\ndata: (.+)\n\n/.exec(text)![1]!) as { op: string; resourceId: string }
    expect(data).toMatchObject({ op: 'create', resourceId: id })
  })

  test('a token issued on one replica’s console works on the other within a second; revoked there, it is refused here', async () => {
    const onA = new Browser(a.app)
    expect((await onA.signIn()).status).toBe(303)
    const csrf = csrfOf(await (await onA.get('/admin/tokens')).text())
    const issued = await onA.post('/admin/tokens/issue', form({ csrf, label: 'entra', expires: '0' }))
    expect(issued.status).toBe(201)
    const secret = /<code id="new-token">([^<]+)<\/code>/.exec(await issued.text())![1]!
    // The replica that issued it serves it at once.
    expect((await scimAs(a, secret, 'GET', '/scim/v2/Users')).status).toBe(200)
    expect(await within(1000, async () => (await scimAs(b, secret, 'GET', '/scim/v2/Users')).status === 200)).toBe(true)
    const [{ id }] = (await db.sql`SELECT id FROM tokens WHERE label = 'entra'`) as [{ id: string }]
    const onB = sameBrowser(onA, b)
    const revoked = await onB.post('/admin/tokens/revoke', form({ csrf, id, confirm: 'yes' }))
    expect(revoked.status).toBe(303)
    expect((await scimAs(b, secret, 'GET', '/scim/v2/Users')).status).toBe(401)
    expect(await within(1000, async () => (await scimAs(a, secret, 'GET', '/scim/v2/Users')).status === 401)).toBe(true)
  })

  test('a tenant created on one replica’s console is listed and served by the other within a second', async () => {
    const onA = new Browser(a.app)
    expect((await onA.signIn()).status).toBe(303)
    const csrf = csrfOf(await (await onA.get('/admin/tenants')).text())
    const created = await onA.post('/admin/tenants/create', `${form({ csrf, name: 'acme' })}&pack=alvao`)
    expect(created.status).toBe(303)
    // This replica lists it on the page it redirects to.
    expect(await (await onA.get(created.headers.get('location')!)).text()).toContain('Tenant acme created.')
    const onB = sameBrowser(onA, b)
    expect(
      await within(1000, async () => (await (await onB.get('/admin/tenants')).text()).includes('id="url-acme"'))
    ).toBe(true)
    expect((await onB.get('/admin/users?tenant=acme')).status).toBe(200)
    // A second add of the same name, through the other replica, is refused with addTenant's words.
    const again = await onB.post('/admin/tenants/create', form({ csrf, name: 'acme' }))
    expect(again.status).toBe(400)
    expect(await again.text()).toContain('tenant acme exists already')
  })
})
