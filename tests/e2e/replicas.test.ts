// Two built binaries on one PostgreSQL database: started together, an Entra lifecycle spread over both, a token revoked through the CLI, the journal verified.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { verifyPgJournal } from '../../src/store-pg/journal-verify'
import { MIGRATIONS } from '../../src/store-pg/migrations.gen'
import { URN_GROUP, URN_PATCH_OP, URN_USER } from '../helpers/entra'
import { runLifecycle, type Client } from '../helpers/lifecycle'
import { APP_PACKS, DIALECTS } from '../helpers/packs'
import { freshDatabase, testPostgres, type TestDatabase } from '../helpers/postgres'
import { runBinary } from '../helpers/process'
import { alternating, startReplica, type Replica } from '../helpers/replicas'

const server = await testPostgres()
const TIMEOUT = 60_000
const PACK_ARGS = APP_PACKS.flatMap((p) => ['--schema-pack', p.name])

/** The first status `send` answers that is not `unwanted`, polling for at most `ms`; else the last one. */
async function statusAfter(ms: number, unwanted: number, send: () => Promise<Response>): Promise<number> {
  const until = Date.now() + ms
  for (;;) {
    const { status } = await send()
    if (status !== unwanted || Date.now() > until) return status
    await Bun.sleep(25)
  }
}

describe.skipIf(!server)('two replicas on one PostgreSQL database (compiled binary)', () => {
  let db: TestDatabase
  let replicas: Replica[] = []
  let token: string

  beforeAll(async () => {
    db = await freshDatabase(server!)
    // Both start at the same moment on an empty database.
    replicas = await Promise.all([startReplica(db.url, PACK_ARGS), startReplica(db.url, PACK_ARGS)])
    // The first test checks that exactly one of them printed it.
    token = replicas.map((r) => r.firstToken).find((t) => t !== undefined) ?? 'none printed'
  }, 120_000)

  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.stop()))
    await db?.drop()
  })

  test('started together on an empty database: migrated once, one first token printed', async () => {
    const printed = replicas.map((r) => r.firstToken).filter((t) => t !== undefined)
    expect(printed, replicas.map((r) => r.child.output()).join('\n---\n')).toHaveLength(1)
    const [applied] =
      await db.sql`SELECT count(*)::int AS n, count(DISTINCT hash)::int AS distinct FROM drizzle.__drizzle_migrations`
    expect(applied).toEqual({ n: MIGRATIONS.length, distinct: MIGRATIONS.length })
    const [tokens] = await db.sql`SELECT count(*)::int AS n FROM tokens`
    expect(tokens.n).toBe(1)
    // The replica that did not issue it reads the tokens table within a second.
    for (const r of replicas)
      expect(await statusAfter(1000, 401, () => r.client(token)('GET', '/scim/v2/Users'))).toBe(200)
  })

  for (const pack of APP_PACKS) {
    for (const dialect of DIALECTS) {
      test(
        `${pack.name} / ${dialect}: alternating replicas, every write read back through the other`,
        async () => {
          const spread = alternating(replicas.map((r) => r.client(token)))
          await runLifecycle(spread.client, pack, dialect)
          expect(spread.checkedWrites()).toBeGreaterThan(5)
        },
        TIMEOUT
      )
    }
  }

  test('a token revoked with `token revoke --db URL` is refused by both replicas within a second', async () => {
    const issued = await runBinary(['token', '--db', db.url, '--name', 'rotating'])
    expect(issued.code, issued.output).toBe(0)
    const secret = /^Secret Token: (\S+)$/m.exec(issued.output)![1]!
    const id = /^Token (\S+) of tenant/m.exec(issued.output)![1]!
    for (const r of replicas)
      expect(await statusAfter(1000, 401, () => r.client(secret)('GET', '/scim/v2/Users'))).toBe(200)
    const revoked = await runBinary(['token', 'revoke', id, '--db', db.url])
    expect(revoked.code, revoked.output).toBe(0)
    const statuses = await Promise.all(
      replicas.map((r) => statusAfter(1000, 200, () => r.client(secret)('GET', '/scim/v2/Users')))
    )
    expect(statuses).toEqual([401, 401])
    // The first token was not touched.
    for (const r of replicas) expect((await r.client(token)('GET', '/scim/v2/Users')).status).toBe(200)
  })

  test('what one replica has cached is read fresh after a write through the other: PATCH, then DELETE', async () => {
    const [a, b] = replicas.map((r) => r.client(token)) as [Client, Client]
    // The token is both replicas' within a second of their start (the first test), also when this one runs alone.
    for (const client of [a, b]) expect(await statusAfter(1000, 401, () => client('GET', '/scim/v2/Users'))).toBe(200)
    const userName = `cached-${crypto.randomUUID()}@example.com`
    const created = await a('POST', '/scim/v2/Users', { schemas: [URN_USER], userName, title: 'before' })
    expect(created.status).toBe(201)
    const { id } = (await created.json()) as { id: string }
    const byName = `/scim/v2/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`
    const byId = `/scim/v2/Users/${id}`
    // A key is kept from its second miss: after these, b answers both reads from its lookup cache.
    for (let i = 0; i < 4; i++) {
      expect((await b('GET', byName)).status).toBe(200)
      expect((await b('GET', byId)).status).toBe(200)
    }
    const patch = { schemas: [URN_PATCH_OP], Operations: [{ op: 'replace', path: 'title', value: 'after' }] }
    expect((await a('PATCH', byId, patch)).status).toBe(200)
    expect(((await (await b('GET', byId)).json()) as { title?: string }).title).toBe('after')
    const listed = (await (await b('GET', byName)).json()) as { Resources: { title?: string }[] }
    expect(listed.Resources.map((r) => r.title)).toEqual(['after'])
    expect((await a('DELETE', byId)).status).toBe(204)
    expect((await b('GET', byId)).status).toBe(404)
    expect(((await (await b('GET', byName)).json()) as { totalResults: number }).totalResults).toBe(0)
  })

  test('one userName POSTed to both replicas at once: one 201, one 409 uniqueness', async () => {
    const body = { schemas: [URN_USER], userName: `both-${crypto.randomUUID()}@example.com` }
    const answers = await Promise.all(replicas.map((r) => r.client(token)('POST', '/scim/v2/Users', body)))
    expect(answers.map((r) => r.status).sort()).toEqual([201, 409])
    const conflict = answers.find((r) => r.status === 409)!
    expect(((await conflict.json()) as { scimType: string }).scimType).toBe('uniqueness')
  })

  test('members added to one group through both replicas at once are all kept (row locks, no lost update)', async () => {
    const [a, b] = replicas.map((r) => r.client(token)) as [Client, Client]
    const group = await a('POST', '/scim/v2/Groups', {
      schemas: [URN_GROUP],
      displayName: `race-${crypto.randomUUID()}`,
    })
    const groupId = ((await group.json()) as { id: string }).id
    const ids: string[] = []
    for (let i = 0; i < 20; i++) {
      const res = await (i % 2 ? b : a)('POST', '/scim/v2/Users', {
        schemas: [URN_USER],
        userName: `race-${i}-${groupId}`,
      })
      ids.push(((await res.json()) as { id: string }).id)
    }
    const patched = await Promise.all(
      ids.map((id, i) =>
        (i % 2 ? b : a)('PATCH', `/scim/v2/Groups/${groupId}`, {
          schemas: [URN_PATCH_OP],
          Operations: [{ op: 'add', path: 'members', value: [{ value: id }] }],
        })
      )
    )
    expect(patched.map((r) => r.status).filter((s) => s >= 300)).toEqual([])
    for (const read of [a, b]) {
      const got = (await (await read('GET', `/scim/v2/Groups/${groupId}`)).json()) as { members: { value: string }[] }
      expect(got.members.map((m) => m.value).sort()).toEqual([...ids].sort())
    }
  })

  test('the journal written by both replicas verifies: one unbroken chain', async () => {
    const [entries] = await db.sql`SELECT count(*)::int AS n FROM journal WHERE tenant = 'default'`
    expect(entries.n).toBeGreaterThan(100)
    const verdict = await verifyPgJournal(db.sql)
    expect(verdict.ok, JSON.stringify(verdict)).toBe(true)
  })
})
