// Push across two replicas on one PostgreSQL database: one replica delivers to a receiver at a time, another takes over.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { createPgScimServer, type PgScimServer } from '../../src/server-pg'
import { TURN_LOCK_SPACE } from '../../src/store-pg/events-turns'
import { pgChangeTenant } from '../../src/store-pg/tenants'
import { pgIssueToken } from '../../src/store-pg/tokens'
import { receiver } from '../events/receiver'
import { freshDatabase, testPostgres, type TestDatabase } from '../helpers/postgres'

const server = await testPostgres()

describe.skipIf(!server)('push across replicas on PostgreSQL', () => {
  let db: TestDatabase
  let a: PgScimServer
  let b: PgScimServer
  let token: string
  let users = 0
  const r = receiver([])

  async function createUser(app: PgScimServer): Promise<void> {
    const body = { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: `u${++users}@example.com` }
    const res = await app.app.handle(
      new Request('http://localhost/scim/v2/Users', {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' },
        body: JSON.stringify(body),
      })
    )
    expect(res.status).toBe(201)
  }

  const jtis = () => r.accepted.map(({ body }) => (JSON.parse(atob(body.split('.')[1]!)) as { jti: string }).jti)

  beforeAll(async () => {
    db = await freshDatabase(server!)
    // Receivers are re-read by hand (reloadEveryMs 0), so the test decides which replica starts first.
    const options = {
      db: db.url,
      baseUrl: 'https://scim.example.com/scim/v2',
      events: { reloadEveryMs: 0, push: { turnRetryMs: 50, baseDelayMs: 10 } },
    }
    ;[a, b] = await Promise.all([createPgScimServer(options), createPgScimServer(options)])
    ;({ token } = await pgIssueToken(db.sql, { tenant: 'default' }))
    await pgChangeTenant(
      db.sql,
      'default',
      (before) => ({ ...before, settings: { ...before.settings, pushUrls: [r.url] } }),
      'head'
    )
    await Promise.all([a.tenantsChanged(), b.tenantsChanged()])
  })
  afterAll(async () => {
    await a?.close()
    await b?.close()
    r.stop()
    await db?.drop()
  })

  test('two replicas with one receiver deliver each event exactly once, whichever replica wrote it', async () => {
    a.events!.reloadPushUrls()
    await createUser(a)
    // A delivers the first: it holds the receiver's turn before B even knows the receiver.
    await r.received(1)
    b.events!.reloadPushUrls()
    for (let i = 0; i < 10; i++) await createUser(i % 2 === 0 ? b : a)
    await r.received(11)
    await Promise.all([a.events!.pushIdle(), b.events!.pushIdle()])
    expect(jtis()).toHaveLength(11)
    expect(new Set(jtis()).size).toBe(11)
    // In commit order.
    const seqs = jtis().map((jti) => Number(jti.split('.')[0]))
    expect(seqs).toEqual(seqs.toSorted((x, y) => x - y))
  })

  test('when the replica delivering (A, since the first test) stops, the other takes over from the stored position', async () => {
    const before = r.accepted.length
    await a.close()
    for (let i = 0; i < 3; i++) await createUser(b)
    await r.received(before + 3)
    await b.events!.pushIdle()
    expect(jtis()).toHaveLength(before + 3)
    expect(new Set(jtis()).size).toBe(before + 3)
  })

  test('a replica whose connection is cut takes its turn again on a new one: nothing lost, nothing twice', async () => {
    const before = r.accepted.length
    // A connection cut by the network or the server: its session ends, and the locks it held go.
    const cut = await db.sql`SELECT pg_terminate_backend(pid) AS done FROM pg_locks
      WHERE locktype = 'advisory' AND classid = ${TURN_LOCK_SPACE}::int::oid`
    expect(cut).toHaveLength(1)
    for (let i = 0; i < 6; i++) await createUser(b)
    await r.received(before + 6)
    await b.events!.pushIdle()
    expect(jtis()).toHaveLength(before + 6)
    expect(new Set(jtis()).size).toBe(before + 6)
  })
})
