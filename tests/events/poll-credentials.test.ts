// A waiting long poll ends (401, as a fresh request with its token) once its token is revoked or expires or its tenant is removed.
import { describe, expect, test } from 'bun:test'
import { issueTokenRecord, revokeToken } from '../../src/auth/token-admin'
import { createScimServer } from '../../src/server'
import { createPgScimServer } from '../../src/server-pg'
import { pgIssueToken, pgRevokeToken } from '../../src/store-pg/tokens'
import { freshDatabase, testPostgres } from '../helpers/postgres'
import { pgTenantCycle, sqliteTenantCycle, type TenantCycle } from '../helpers/tenant-cycle'

const pgServer = await testPostgres()
const TENANT = '/tenants/zeta/scim/v2'
const zeta = { name: 'zeta', packs: [], schemas: [], settings: {} }
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User'

/** What the scenarios need of a running server beside its database, on either store. */
interface Running extends TenantCycle {
  handle(request: Request): Promise<Response>
  /** `token --tenant zeta --scope read`. */
  read(): Promise<{ id: string; token: string }>
  revoke(id: string): Promise<void>
  /** The token's expiry moved into the past, as time passing would. */
  expire(id: string): Promise<void>
}

function post(t: Running, token: string, path: string, body: unknown): Promise<Response> {
  return t.handle(
    new Request(`http://localhost${TENANT}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' },
      body: JSON.stringify(body),
    })
  )
}

/**
 * A long poll as `token`; `passed` resolves once it passed authentication (its route reads the
 * body only then), so what the test does next happens to a poll that was let in.
 */
function longPoll(t: Running, token: string): { passed: Promise<void>; response: Promise<Response> } {
  let passed = () => {}
  const gate = new Promise<void>((resolve) => {
    passed = resolve
  })
  const body = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        controller.enqueue(new TextEncoder().encode(JSON.stringify({ returnImmediately: false })))
        controller.close()
        passed()
      },
    },
    { highWaterMark: 0 }
  )
  const response = t.handle(
    new Request(`http://localhost${TENANT}/Events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' },
      body,
    })
  )
  return { passed: gate, response }
}

/** Adds zeta, issues a read token and starts its long poll; resolves once the poll was let in. */
async function waitingPoll(t: Running): Promise<{ provision: string; id: string; response: Promise<Response> }> {
  const provision = await t.add()
  const { id, token } = await t.read()
  const poll = longPoll(t, token)
  await poll.passed
  return { provision, id, response: poll.response }
}

async function refused(response: Promise<Response>): Promise<void> {
  const res = await response
  const body = (await res.json()) as { schemas: string[]; sets?: unknown }
  expect(res.status).toBe(401)
  expect(res.headers.get('www-authenticate')).toContain('Bearer')
  expect(body.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:Error'])
  expect(body.sets).toBeUndefined()
}

/** Each scenario on a server whose waiting polls check their token every `checkMs`. */
type Scenario = (t: Running) => Promise<void>

/** The scenario of a waiting poll whose token `end` ends before anything is written: the poll is refused. */
const endedBy =
  (end: (t: Running, id: string) => Promise<void>): Scenario =>
  async (t) => {
    const poll = await waitingPoll(t)
    await end(t, poll.id)
    await refused(poll.response)
  }

const scenarios: Record<string, { checkMs: number; run: Scenario }> = {
  'a poll of a valid token still gets the event written while it waits': {
    checkMs: 10,
    run: async (t) => {
      const poll = await waitingPoll(t)
      expect((await post(t, poll.provision, '/Users', { schemas: [USER], userName: 'later' })).status).toBe(201)
      const res = await poll.response
      expect(res.status).toBe(200)
      expect(Object.keys(((await res.json()) as { sets: object }).sets)).toHaveLength(1)
    },
  },
  'a token revoked while its poll waits ends the poll, with nothing written since': {
    checkMs: 10,
    run: endedBy((t, id) => t.revoke(id)),
  },
  'a token revoked while its poll waits is not answered with an event written later': {
    // Only the append wakes the poll here: the check after it is what refuses.
    checkMs: 60_000,
    run: async (t) => {
      const poll = await waitingPoll(t)
      await t.revoke(poll.id)
      expect((await post(t, poll.provision, '/Users', { schemas: [USER], userName: 'after' })).status).toBe(201)
      await refused(poll.response)
    },
  },
  'a token that expires while its poll waits ends the poll': {
    checkMs: 10,
    run: endedBy((t, id) => t.expire(id)),
  },
  "a poll of a tenant removed and added again never gets the new tenant's events": {
    checkMs: 60_000,
    run: async (t) => {
      const old = await t.add()
      const poll = longPoll(t, old)
      await poll.passed
      await t.remove()
      const fresh = await t.add()
      expect((await post(t, fresh, '/Users', { schemas: [USER], userName: 'new-tenant' })).status).toBe(201)
      await refused(poll.response)
    },
  },
}

const events = (checkMs: number) => ({ longPollMs: 60_000, credentialCheckMs: checkMs, reloadEveryMs: 0 })
const past = '2000-01-01T00:00:00.000Z'

describe('long polls and their credentials, on SQLite', () => {
  for (const [name, { checkMs, run }] of Object.entries(scenarios))
    test(name, async () => {
      const server = createScimServer({ db: ':memory:', events: events(checkMs) })
      const { sqlite } = server
      try {
        await run({
          handle: (r) => server.app.handle(r),
          ...sqliteTenantCycle(server, zeta),
          read: async () => {
            const { record, token } = issueTokenRecord(sqlite, { tenant: 'zeta', scope: 'read' })
            server.tenantsChanged()
            return { id: record.id, token }
          },
          revoke: async (id) => {
            revokeToken(sqlite, id)
            server.tenantsChanged()
          },
          expire: async (id) => {
            sqlite.query('UPDATE tokens SET expires = ? WHERE id = ?').run(past, id)
          },
        })
      } finally {
        await server.deps.events?.close()
        server.store.close()
      }
    })
})

describe.skipIf(!pgServer)('long polls and their credentials, on PostgreSQL', () => {
  for (const [name, { checkMs, run }] of Object.entries(scenarios))
    test(name, async () => {
      const db = await freshDatabase(pgServer!)
      const server = await createPgScimServer({ db: db.url, events: events(checkMs) })
      const { sql } = db
      try {
        await run({
          handle: (r) => server.app.handle(r),
          ...pgTenantCycle(sql, server, zeta),
          read: async () => {
            const { record, token } = await pgIssueToken(sql, { tenant: 'zeta', scope: 'read' })
            await server.tenantsChanged()
            return { id: record.id, token }
          },
          revoke: async (id) => {
            await pgRevokeToken(sql, id)
            await server.tenantsChanged()
          },
          expire: async (id) => {
            await sql`UPDATE tokens SET expires = ${past} WHERE id = ${id}`
          },
        })
      } finally {
        await server.close()
        await db.drop()
      }
    })
})
