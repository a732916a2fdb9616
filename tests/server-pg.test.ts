// The server over PostgreSQL in-process: migrations at start, requests served, tenants and tokens followed, the first token once.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { hashToken } from '../src/auth/tokens'
import { createPgScimServer, type PgScimServer } from '../src/server-pg'
import { TENANT_LOCK_SPACE } from '../src/store-pg/tenant-lock'
import { pgIssueToken, pgRevokeToken } from '../src/store-pg/tokens'
import { freshDatabase, testPostgres, type TestDatabase } from './helpers/postgres'

const server = await testPostgres()
const USER = { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'alice@example.com' }

function call(app: PgScimServer, token: string, method: string, path: string, body?: unknown) {
  return app.app.handle(
    new Request(`http://localhost${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
  )
}

/** The first 2xx status `send` answers within `ms`, else the last one: how "within a second" is checked. */
async function statusWithin(ms: number, send: () => Promise<Response>): Promise<number> {
  const until = Date.now() + ms
  for (;;) {
    const { status } = await send()
    if (status < 300 || Date.now() > until) return status
    await Bun.sleep(25)
  }
}

describe.skipIf(!server)('server on PostgreSQL', () => {
  let db: TestDatabase
  let a: PgScimServer
  let b: PgScimServer
  beforeAll(async () => {
    db = await freshDatabase(server!)
    // Two servers on one database start together: the migrations run once, under the lock.
    ;[a, b] = await Promise.all([createPgScimServer({ db: db.url }), createPgScimServer({ db: db.url })])
  })
  afterAll(async () => {
    await a?.close()
    await b?.close()
    await db?.drop()
  })

  test('two servers starting together on an empty database issue one first token between them', async () => {
    const [x, y] = await Promise.all([a.issueFirstToken(), b.issueFirstToken()])
    expect([x, y].filter(Boolean)).toHaveLength(1)
    expect(await a.issueFirstToken()).toBeUndefined()
    const token = (x ?? y)!
    // The server that issued it serves it at once; the other reads the table within a second.
    const issuer = x ? a : b
    expect((await call(issuer, token, 'GET', '/scim/v2/Users')).status).toBe(200)
    expect(await statusWithin(1000, () => call(issuer === a ? b : a, token, 'GET', '/scim/v2/Users'))).toBe(200)
  })

  test('a write through one server is read by the next request on the other', async () => {
    const { token } = await pgIssueToken(db.sql, { tenant: 'default' })
    await Promise.all([a.tenantsChanged(), b.tenantsChanged()])
    const created = await call(a, token, 'POST', '/scim/v2/Users', USER)
    expect(created.status).toBe(201)
    const { id } = (await created.json()) as { id: string }
    const read = await call(b, token, 'GET', `/scim/v2/Users/${id}`)
    expect(read.status).toBe(200)
    expect(((await read.json()) as { userName: string }).userName).toBe(USER.userName)
    const patched = await call(b, token, 'PATCH', `/scim/v2/Users/${id}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'replace', path: 'active', value: false }],
    })
    expect(patched.status).toBe(200)
    const found = await call(a, token, 'GET', `/scim/v2/Users?filter=${encodeURIComponent('active eq false')}`)
    expect(((await found.json()) as { totalResults: number }).totalResults).toBe(1)
    expect((await call(a, token, 'DELETE', `/scim/v2/Users/${id}`)).status).toBe(204)
    expect((await call(b, token, 'GET', `/scim/v2/Users/${id}`)).status).toBe(404)
  })

  test('a token revoked elsewhere is refused once the servers read the table again', async () => {
    const { record, token } = await pgIssueToken(db.sql, { tenant: 'default' })
    await b.tenantsChanged()
    expect((await call(b, token, 'GET', '/scim/v2/Users')).status).toBe(200)
    expect(await pgRevokeToken(db.sql, record.id)).toBe(true)
    // Refused within a second without being told (the background read), and at once when told.
    const until = Date.now() + 1000
    while ((await call(b, token, 'GET', '/scim/v2/Users')).status === 200 && Date.now() < until) await Bun.sleep(25)
    expect((await call(b, token, 'GET', '/scim/v2/Users')).status).toBe(401)
    await a.tenantsChanged()
    expect((await call(a, token, 'GET', '/scim/v2/Users')).status).toBe(401)
  })

  test('a tenant added to the database is served with its own tokens, apart from the default one', async () => {
    await db.sql`INSERT INTO tenants (name, created) VALUES ('acme', ${new Date().toISOString()})`
    const acme = await pgIssueToken(db.sql, { tenant: 'acme' })
    const other = await pgIssueToken(db.sql, { tenant: 'default' })
    await a.tenantsChanged()
    const created = await call(a, acme.token, 'POST', '/tenants/acme/scim/v2/Users', USER)
    expect(created.status).toBe(201)
    expect((await call(a, other.token, 'GET', '/tenants/acme/scim/v2/Users')).status).toBe(401)
    const inDefault = await call(
      a,
      other.token,
      'GET',
      `/scim/v2/Users?filter=${encodeURIComponent('userName eq "alice@example.com"')}`
    )
    expect(((await inDefault.json()) as { totalResults: number }).totalResults).toBe(0)
  })

  test('tokens given as hashes are accepted beside the stored ones', async () => {
    const given = await createPgScimServer({ db: db.url, tokenHashes: [hashToken('given-token')] })
    try {
      expect((await call(given, 'given-token', 'GET', '/scim/v2/Users')).status).toBe(200)
      expect((await call(given, 'wrong', 'GET', '/scim/v2/Users')).status).toBe(401)
    } finally {
      await given.close()
    }
  })

  test("a stored token's last use is written when the server closes; /metrics counts the database and journal", async () => {
    const own = await createPgScimServer({ db: db.url })
    const { record, token } = await pgIssueToken(db.sql, { tenant: 'default' })
    const metricsToken = await pgIssueToken(db.sql, { tenant: 'default', scope: 'metrics' })
    await own.tenantsChanged()
    expect((await call(own, token, 'GET', '/scim/v2/Users')).status).toBe(200)
    const scraped = await call(own, metricsToken.token, 'GET', '/metrics')
    expect(scraped.status).toBe(200)
    const text = await scraped.text()
    expect(Number(/^scim_database_bytes (\d+)/m.exec(text)?.[1])).toBeGreaterThan(0)
    expect(text).toMatch(/^scim_journal_entries\{tenant="default"\} [1-9]/m)
    await own.close()
    const [row] = await db.sql`SELECT last_used FROM tokens WHERE id = ${record.id}`
    expect(typeof row.last_used).toBe('string')
  })

  test('readiness is answered from the database check', async () => {
    const ready = await a.app.handle(new Request('http://localhost/readyz'))
    expect(ready.status).toBe(200)
  })

  test("a replica stalled inside a write transaction holds the tenant's lock no longer than its idle limit", async () => {
    const stalling = await createPgScimServer({ db: db.url, idleInTransactionMs: 500 })
    const { token } = await pgIssueToken(db.sql, { tenant: 'default' })
    await b.tenantsChanged()
    // One of the stalling replica's own connections, inside a transaction that took the default
    // tenant's journal lock and then sent nothing more: a replica frozen between two statements.
    const stuck = await stalling.sql.reserve()
    try {
      await stuck`BEGIN`
      await stuck`SELECT pg_advisory_xact_lock(${TENANT_LOCK_SPACE}::int, hashtext('default'))`
      const started = performance.now()
      const created = await Promise.race([
        call(b, token, 'POST', '/scim/v2/Users', { ...USER, userName: 'after-the-stall@example.com' }),
        Bun.sleep(5000).then(() => undefined),
      ])
      expect(created?.status).toBe(201)
      // It waited for the lock, and PostgreSQL ended the idle transaction after about 500 ms.
      expect(performance.now() - started).toBeGreaterThan(300)
      await expect(stuck`SELECT 1`).rejects.toBeDefined()
    } finally {
      stuck.release()
      await stalling.close()
    }
  })
})
