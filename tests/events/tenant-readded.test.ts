// A tenant removed and added again under the same name while the server runs: its SETs verify with its JWKS again.
import { afterAll, describe, expect, test } from 'bun:test'
import { type PublicJwk, verifyCompact } from '../../src/events/jws'
import type { SetClaims } from '../../src/events/set'
import { createScimServer } from '../../src/server'
import { createPgScimServer } from '../../src/server-pg'
import { freshDatabase, testPostgres, type TestDatabase } from '../helpers/postgres'
import { pgTenantCycle, sqliteTenantCycle, type TenantCycle } from '../helpers/tenant-cycle'

const pgServer = await testPostgres()
const TENANT = '/tenants/acme/scim/v2'
const acme = { name: 'acme', packs: [], schemas: [], settings: {} }

/** What the scenario needs of a running server and its database, on either store. */
interface Running extends TenantCycle {
  handle(request: Request): Promise<Response>
}

function call(t: Running, token: string | undefined, method: string, path: string, body?: unknown) {
  const headers: Record<string, string> = { 'content-type': 'application/scim+json' }
  if (token) headers.authorization = `Bearer ${token}`
  const init: RequestInit = { method, headers }
  if (body !== undefined) init.body = JSON.stringify(body)
  return t.handle(new Request(`http://localhost${TENANT}${path}`, init))
}

/** Creates a user as `token`, polls the tenant's events and checks every SET against the tenant's JWKS. */
async function signedWithPublishedKey(t: Running, token: string, userName: string): Promise<string[]> {
  const created = await call(t, token, 'POST', '/Users', {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    userName,
  })
  expect(created.status).toBe(201)
  const polled = await call(t, token, 'POST', '/Events', { returnImmediately: true })
  expect(polled.status).toBe(200)
  const { sets } = (await polled.json()) as { sets: Record<string, string> }
  const res = await call(t, undefined, 'GET', '/Events/jwks.json')
  expect(res.status).toBe(200)
  const { keys } = (await res.json()) as { keys: PublicJwk[] }
  const uris = Object.values(sets).map((set) => (verifyCompact(set, keys) as SetClaims).sub_id.uri)
  expect(uris).toHaveLength(1)
  return keys.map((k) => k.kid)
}

async function removedAndAddedAgain(t: Running): Promise<void> {
  const before = await signedWithPublishedKey(t, await t.add(), 'first@example.com')
  await t.remove()
  const after = await signedWithPublishedKey(t, await t.add(), 'second@example.com')
  // The old key went with the tenant's rows: the JWKS publishes only the new one.
  expect(after).toHaveLength(1)
  expect(after).not.toEqual(before)
}

describe('events of a tenant removed and added again', () => {
  test('on SQLite, its SETs are signed with the key its JWKS publishes', async () => {
    const server = createScimServer({ db: ':memory:', events: { longPollMs: 10, reloadEveryMs: 0 } })
    try {
      await removedAndAddedAgain({
        handle: (request) => server.app.handle(request),
        ...sqliteTenantCycle(server, acme),
      })
    } finally {
      await server.deps.events?.close()
      server.store.close()
    }
  })

  describe.skipIf(!pgServer)('on PostgreSQL', () => {
    let db: TestDatabase | undefined
    afterAll(async () => {
      await db?.drop()
    })

    test('its SETs are signed with the key its JWKS publishes', async () => {
      db = await freshDatabase(pgServer!)
      const server = await createPgScimServer({ db: db.url, events: { longPollMs: 10, reloadEveryMs: 0 } })
      const { sql } = db
      try {
        await removedAndAddedAgain({
          handle: (request) => server.app.handle(request),
          ...pgTenantCycle(sql, server, acme),
        })
      } finally {
        await server.close()
      }
    })
  })
})
