// A tenant removed and added again under its name while the server runs: nothing of its earlier life is served or written into.
import { describe, expect, test } from 'bun:test'
import { createScimServer } from '../../src/server'
import { createPgScimServer } from '../../src/server-pg'
import { freshDatabase, testPostgres } from '../helpers/postgres'
import { pgTenantCycle, sqliteTenantCycle, type TenantCycle } from '../helpers/tenant-cycle'

const pgServer = await testPostgres()
const TENANT = '/tenants/kappa/scim/v2'
const kappa = { name: 'kappa', packs: [], schemas: [], settings: {} }
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User'

/** What the scenarios need of a running server beside its database, on either store. */
interface Running extends TenantCycle {
  handle(request: Request): Promise<Response>
  /** How many resources the database holds for kappa. */
  resources(): Promise<number>
}

function request(token: string, method: string, path: string, body?: string | ReadableStream): Request {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` }
  if (body !== undefined) headers['content-type'] = 'application/scim+json'
  return new Request(`http://localhost${TENANT}${path}`, { method, headers, body })
}

const call = (t: Running, token: string, method: string, path: string, body?: unknown) =>
  t.handle(request(token, method, path, body === undefined ? undefined : JSON.stringify(body)))

const byName = `/Users?filter=${encodeURIComponent('userName eq "cached"')}`

async function cachedUserNotServedAgain(t: Running): Promise<void> {
  const first = await t.add()
  const created = await call(t, first, 'POST', '/Users', { schemas: [USER], userName: 'cached' })
  expect(created.status).toBe(201)
  const { id } = (await created.json()) as { id: string }
  // A key is cached from its second miss on: the third read is served from the cache.
  for (let i = 0; i < 3; i++) {
    expect((await call(t, first, 'GET', `/Users/${id}`)).status).toBe(200)
    expect((await call(t, first, 'GET', byName)).status).toBe(200)
  }
  await t.remove()
  const second = await t.add()
  expect((await call(t, second, 'GET', `/Users/${id}`)).status).toBe(404)
  const found = (await (await call(t, second, 'GET', byName)).json()) as { totalResults: number }
  expect(found.totalResults).toBe(0)
}

/**
 * A POST whose token passed before the tenant was removed and added again, and whose body comes
 * only after: the write must not land in the new tenant of the name.
 */
async function lateWriteRefused(t: Running): Promise<void> {
  const first = await t.add()
  let send: ((text: string) => void) | undefined
  let pending: Promise<Response> | undefined
  const reading = new Promise<void>((resolve) => {
    const body = new ReadableStream<Uint8Array>(
      {
        start(controller) {
          send = (text) => {
            controller.enqueue(new TextEncoder().encode(text))
            controller.close()
          }
        },
        // Asked for once the request passed authentication and its route reads the body.
        pull: () => resolve(),
      },
      { highWaterMark: 0 }
    )
    pending = t.handle(request(first, 'POST', '/Users', body))
  })
  await reading
  await t.remove()
  const second = await t.add()
  send!(JSON.stringify({ schemas: [USER], userName: 'late' }))
  const late = await pending!
  expect(late.status).toBe(404)
  expect(((await late.json()) as { schemas: string[] }).schemas).toEqual([
    'urn:ietf:params:scim:api:messages:2.0:Error',
  ])
  expect(await t.resources()).toBe(0)
  // The new tenant's own token writes as ever.
  expect((await call(t, second, 'POST', '/Users', { schemas: [USER], userName: 'late' })).status).toBe(201)
}

function sqliteServer(): Running & { close(): void } {
  const server = createScimServer({ db: ':memory:' })
  return {
    handle: (r) => server.app.handle(r),
    ...sqliteTenantCycle(server, kappa),
    resources: async () =>
      (server.sqlite.query("SELECT count(*) AS n FROM resources WHERE tenant = 'kappa'").get() as { n: number }).n,
    close: () => server.store.close(),
  }
}

describe('a tenant removed and added again, on SQLite', () => {
  test("the new tenant is not served the removed one's cached users", async () => {
    const t = sqliteServer()
    try {
      await cachedUserNotServedAgain(t)
    } finally {
      t.close()
    }
  })

  test('a write authenticated as the removed tenant is refused, and nothing is stored', async () => {
    const t = sqliteServer()
    try {
      await lateWriteRefused(t)
    } finally {
      t.close()
    }
  })
})

describe.skipIf(!pgServer)('a tenant removed and added again, on PostgreSQL', () => {
  async function pgRunning(fn: (t: Running) => Promise<void>): Promise<void> {
    const db = await freshDatabase(pgServer!)
    const server = await createPgScimServer({ db: db.url })
    const { sql } = db
    try {
      await fn({
        handle: (r) => server.app.handle(r),
        ...pgTenantCycle(sql, server, kappa),
        resources: async () => {
          const [row] = await sql`SELECT count(*)::int AS n FROM resources WHERE tenant = 'kappa'`
          return (row as { n: number }).n
        },
      })
    } finally {
      await server.close()
      await db.drop()
    }
  }

  test("the new tenant is not served the removed one's cached users", () => pgRunning(cachedUserNotServedAgain))

  test('a write authenticated as the removed tenant is refused, and nothing is stored', () =>
    pgRunning(lateWriteRefused))
})
