// Two binaries on one PostgreSQL database: a poll on one sees the other's writes, and a push receiver outlives kill -9 of a replica.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { pgChangeTenant } from '../../src/store-pg/tenants'
import { receiver } from '../events/receiver'
import { claimsOf } from '../helpers/events-binary'
import { freshDatabase, testPostgres, type TestDatabase } from '../helpers/postgres'
import { type Child, freePort, spawnBinary } from '../helpers/process'

const server = await testPostgres()
const TOKEN = `e2e-${crypto.randomUUID()}`

describe.skipIf(!server)('e2e: change events on two replicas over PostgreSQL', () => {
  let db: TestDatabase
  const replicas: { child: Child; origin: string }[] = []
  const r = receiver([])
  let users = 0

  async function start(): Promise<{ child: Child; origin: string }> {
    const port = await freePort()
    const origin = `http://127.0.0.1:${port}`
    // Both name the same public URL, as replicas behind one load balancer do.
    const child = await spawnBinary([
      'serve',
      '--port',
      String(port),
      '--host',
      '127.0.0.1',
      '--db',
      db.url,
      '--token',
      TOKEN,
      '--base-url',
      'https://scim.example.com/scim/v2',
    ])
    await child.waitFor('Tenant URL:', 30_000)
    return { child, origin }
  }

  const send = (origin: string, method: string, path: string, body?: unknown) =>
    fetch(`${origin}${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/scim+json; charset=utf-8' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })

  async function createUser(origin: string): Promise<string> {
    const body = { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: `u${++users}@example.com` }
    const res = await send(origin, 'POST', '/scim/v2/Users', body)
    expect(res.status).toBe(201)
    return ((await res.json()) as { id: string }).id
  }

  /** Resolves once the receiver's stored position is `seq` (it moves after each wave's answers). */
  async function storedUpTo(seq: number): Promise<void> {
    for (;;) {
      const [row] = await db.sql`SELECT acked_seq::float8 AS seq FROM event_streams WHERE stream = ${`push ${r.url}`}`
      if (Number(row?.seq) >= seq) return
      await Bun.sleep(20)
    }
  }

  const pushed = () => r.accepted.map(({ body }) => claimsOf(body).jti)

  beforeAll(async () => {
    db = await freshDatabase(server!)
    replicas.push(await start())
    replicas.push(await start())
  })
  afterAll(async () => {
    for (const { child } of replicas) if (child.proc.exitCode === null) child.proc.kill('SIGKILL')
    await Promise.all(replicas.map(({ child }) => child.proc.exited))
    r.stop()
    await db?.drop()
  })

  test('the banner no longer says events are not served on PostgreSQL', () => {
    expect(replicas[0]!.child.output()).toMatch(/^Database: +postgres:\/\/\S+ \(PostgreSQL\)$/m)
    expect(replicas[0]!.child.output()).not.toContain('not served')
  })

  test('a long poll on one binary is answered by a write through the other', async () => {
    const [a, b] = replicas
    const waiting = send(b!.origin, 'POST', '/scim/v2/Events', { returnImmediately: false })
    expect(await Promise.race([waiting.then(() => 'answered'), Bun.sleep(300).then(() => 'waiting')])).toBe('waiting')
    const id = await createUser(a!.origin)
    const { sets } = (await (await waiting).json()) as { sets: Record<string, string> }
    expect(Object.values(sets).map((set) => claimsOf(set).sub_id.id)).toEqual([id])
    await send(b!.origin, 'POST', '/scim/v2/Events', { ack: Object.keys(sets), maxEvents: 0 })
  })

  test('a push receiver gets each event once from the two, and everything after kill -9 of either', async () => {
    await pgChangeTenant(
      db.sql,
      'default',
      (before) => ({ ...before, settings: { ...before.settings, pushUrls: [r.url] } }),
      'head'
    )
    // The replicas read the receivers again within 5 s.
    for (let i = 0; i < 6; i++) await createUser(replicas[i % 2]!.origin)
    await r.received(6)
    // Killed between a receiver's answer and the position write, a replica leaves that SET to be
    // sent again by the next (same jti, as after a restart): kill once the position is stored.
    await storedUpTo(Math.max(...pushed().map((jti) => Number(jti.split('.')[0]))))
    replicas[0]!.child.proc.kill('SIGKILL')
    await replicas[0]!.child.proc.exited
    for (let i = 0; i < 3; i++) await createUser(replicas[1]!.origin)
    // One more: SETs go in commit order, so a second copy of any earlier one would come before it.
    await createUser(replicas[1]!.origin)
    await r.received(10)
    expect(pushed()).toHaveLength(10)
    expect(new Set(pushed()).size).toBe(10)
  }, 30_000)
})
