// Change events across two replicas on one PostgreSQL database: polls, long polls, acks and signing keys.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { type PublicJwk, verifyCompact } from '../../src/events/jws'
import type { SetClaims } from '../../src/events/set'
import { createPgScimServer, type PgScimServer } from '../../src/server-pg'
import { pgIssueToken } from '../../src/store-pg/tokens'
import { freshDatabase, testPostgres, type TestDatabase } from '../helpers/postgres'

const server = await testPostgres()
const EVENTS = '/scim/v2/Events'

function call(app: PgScimServer, token: string | undefined, method: string, path: string, body?: unknown) {
  return app.app.handle(
    new Request(`http://localhost${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        'content-type': 'application/scim+json',
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
  )
}

describe.skipIf(!server)('events across replicas on PostgreSQL', () => {
  let db: TestDatabase
  let a: PgScimServer
  let b: PgScimServer
  let token: string
  let users = 0

  /** Creates a user through `app`; returns its id. */
  async function createUser(app: PgScimServer): Promise<string> {
    const body = { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: `u${++users}@example.com` }
    const res = await call(app, token, 'POST', '/scim/v2/Users', body)
    expect(res.status).toBe(201)
    return ((await res.json()) as { id: string }).id
  }

  /** One poll through `app`: the SETs it returned, by jti. */
  async function poll(app: PgScimServer, body: object = {}): Promise<Record<string, string>> {
    const res = await call(app, token, 'POST', EVENTS, { returnImmediately: true, ...body })
    expect(res.status).toBe(200)
    return ((await res.json()) as { sets: Record<string, string> }).sets
  }

  async function jwks(app: PgScimServer): Promise<PublicJwk[]> {
    const res = await call(app, undefined, 'GET', '/scim/v2/Events/jwks.json')
    expect(res.status).toBe(200)
    return ((await res.json()) as { keys: PublicJwk[] }).keys
  }

  /** Acknowledges every pending event through `app`, so each test starts with none. */
  async function drain(app: PgScimServer): Promise<void> {
    for (;;) {
      const sets = Object.keys(await poll(app))
      if (sets.length === 0) return
      await poll(app, { ack: sets, maxEvents: 0 })
    }
  }

  beforeAll(async () => {
    db = await freshDatabase(server!)
    ;[a, b] = await Promise.all([
      createPgScimServer({ db: db.url, events: { longPollMs: 20_000 } }),
      createPgScimServer({ db: db.url, events: { longPollMs: 20_000 } }),
    ])
    ;({ token } = await pgIssueToken(db.sql, { tenant: 'default' }))
    await Promise.all([a.tenantsChanged(), b.tenantsChanged()])
  })
  afterAll(async () => {
    await a?.close()
    await b?.close()
    await db?.drop()
  })

  test('replicas starting together on a new tenant make one signing key between them', async () => {
    const [fromA, fromB] = await Promise.all([jwks(a), jwks(b)])
    expect(fromA).toHaveLength(1)
    expect(fromB).toEqual(fromA)
    expect(await db.sql`SELECT kid FROM event_keys`).toHaveLength(1)
  })

  test('a write through one replica is polled through the other, and its SET verifies with the first one’s JWKS', async () => {
    await drain(a)
    const id = await createUser(a)
    const sets = Object.values(await poll(b))
    expect(sets).toHaveLength(1)
    const claims = verifyCompact(sets[0]!, await jwks(a)) as SetClaims
    expect(JSON.stringify(claims.sub_id)).toContain(id)
  })

  test('a long poll waiting on one replica is answered when the other one writes', async () => {
    await drain(b)
    const waiting = call(b, token, 'POST', EVENTS, { returnImmediately: false })
    // Nothing is pending, so the poll is in its wait (20 s) until an append is heard.
    expect(await Promise.race([waiting.then(() => 'answered'), Bun.sleep(200).then(() => 'waiting')])).toBe('waiting')
    const id = await createUser(a)
    const res = await waiting
    const sets = Object.values(((await res.json()) as { sets: Record<string, string> }).sets)
    expect(sets).toHaveLength(1)
    expect(JSON.stringify((verifyCompact(sets[0]!, await jwks(b)) as SetClaims).sub_id)).toContain(id)
  })

  test('acknowledgements made through one replica are honoured by the other, in both directions', async () => {
    await drain(a)
    for (let i = 0; i < 4; i++) await createUser(i % 2 === 0 ? a : b)
    const jtis = Object.keys(await poll(a))
    expect(jtis).toHaveLength(4)
    // Out of order: the 2nd and the 4th through A.
    await poll(a, { ack: [jtis[1]!, jtis[3]!], maxEvents: 0 })
    expect(Object.keys(await poll(b))).toEqual([jtis[0]!, jtis[2]!])
    await poll(b, { ack: [jtis[0]!], maxEvents: 0 })
    expect(Object.keys(await poll(a))).toEqual([jtis[2]!])
    expect(Object.keys(await poll(b, { ack: [jtis[2]!] }))).toEqual([])
    expect(Object.keys(await poll(a))).toEqual([])
  })

  test('a receiver alternating between the replicas gets every event once', async () => {
    await drain(a)
    for (let i = 0; i < 6; i++) await createUser(i % 2 === 0 ? b : a)
    const seen: string[] = []
    let ack: string[] = []
    for (let turn = 0; ; turn++) {
      const got = Object.keys(await poll(turn % 2 === 0 ? a : b, { ack, maxEvents: 2 }))
      if (got.length === 0) break
      seen.push(...got)
      ack = got
    }
    expect(seen).toHaveLength(6)
    expect(new Set(seen).size).toBe(6)
  })
})
