// Group commit on PostgreSQL: concurrent jobs share transactions; a failing job is refused alone, the others commit; the chain holds.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { drizzle } from 'drizzle-orm/bun-sql'
import { ScimError } from '../../src/scim/errors'
import type { StoredResource } from '../../src/service/context'
import { run } from '../../src/service/effect'
import { verifyPgJournal } from '../../src/store-pg/journal-verify'
import { createPgResourceStore } from '../../src/store-pg/resource-store'
import { builtinRegistry, typeOf } from '../helpers/generate'
import { createDraft } from '../helpers/journal-draft'
import { migratedDatabase, testPostgres, type TestDatabase } from '../helpers/postgres'

const server = await testPostgres()
const User = typeOf(builtinRegistry(), 'User')
const T0 = '2026-01-01T00:00:00.000Z'
const user = (id: string, userName = id): StoredResource => ({
  id,
  type: 'User',
  data: { userName },
  version: 1,
  created: T0,
  lastModified: T0,
})

describe.skipIf(!server)('store-pg/write-batches', () => {
  let db: TestDatabase
  beforeAll(async () => {
    db = await migratedDatabase(server!)
  })
  afterAll(async () => {
    await db?.drop()
  })

  test('64 concurrent creates share transactions; one that fails is refused alone and the others commit, each journaled once', async () => {
    const store = createPgResourceStore(drizzle({ client: db.sql }))
    const create = (r: StoredResource, fail = false) =>
      store.write(function* (tx) {
        yield* tx.insert(User, r)
        yield* tx.journal(createDraft(r.id, T0, null))
        // After its statements ran: the whole transaction must not keep them.
        if (fail) throw ScimError.invalidValue('refused on purpose')
        return r.id
      })
    const results = await Promise.allSettled([
      ...Array.from({ length: 31 }, (_, i) => create(user(`b${i}`))),
      create(user('bad'), true),
      // The same userName as b0: a unique violation inside the batch, refused as 409.
      create(user('dup', 'b0')),
      ...Array.from({ length: 31 }, (_, i) => create(user(`c${i}`))),
    ])
    const refused = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as ScimError).status] : []))
    expect(refused.sort()).toEqual([400, 409])
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(62)
    const { writeBatches, writeJobs } = store.stats()
    expect(writeJobs).toBe(64)
    expect(writeBatches).toBeLessThan(writeJobs / 4)
    const [rows] = await db.sql`SELECT count(*)::int AS n FROM resources`
    expect(rows.n).toBe(62)
    expect(await run(store.get(User, 'bad'))).toBeUndefined()
    const [entries] = await db.sql`SELECT count(*)::int AS n, count(DISTINCT resource_id)::int AS ids FROM journal`
    expect(entries).toEqual({ n: 62, ids: 62 })
    expect((await verifyPgJournal(db.sql)).ok).toBe(true)
  })
  test("a created row goes with its journal entry, yet the job's own later reads see it; a taken userName is 409 with neither stored", async () => {
    const store = createPgResourceStore(drizzle({ client: db.sql }), { tenant: 'default' })
    const seen = await store.write(function* (tx) {
      yield* tx.insert(User, user('own1'))
      // Read before the entry is appended: the row must already be in the transaction.
      const row = yield* tx.get(User, 'own1')
      yield* tx.journal(createDraft('own1', T0, null))
      return row?.data
    })
    expect(seen).toEqual({ userName: 'own1' })
    const taken = store.write(function* (tx) {
      yield* tx.insert(User, user('own2', 'OWN1'))
      yield* tx.journal(createDraft('own2', T0, null))
    })
    expect(await taken.catch((e: ScimError) => [e.status, e.scimType])).toEqual([409, 'uniqueness'])
    const [entries] = await db.sql`SELECT count(*)::int AS n FROM journal WHERE resource_id IN ('own1', 'own2')`
    expect(entries.n).toBe(1)
    expect(await run(store.get(User, 'own2'))).toBeUndefined()
    expect((await verifyPgJournal(db.sql)).ok).toBe(true)
  })

  test('without the journal a created row is still sent before COMMIT; a taken id is 409', async () => {
    const store = createPgResourceStore(drizzle({ client: db.sql }), { journaling: false })
    await store.write(function* (tx) {
      yield* tx.insert(User, user('quiet1'))
    })
    expect((await run(store.get(User, 'quiet1')))?.data).toEqual({ userName: 'quiet1' })
    const again = store.write(function* (tx) {
      yield* tx.insert(User, user('quiet1', 'quiet2'))
    })
    expect(await again.catch((e: ScimError) => [e.status, e.scimType])).toEqual([409, 'uniqueness'])
    const [entries] = await db.sql`SELECT count(*)::int AS n FROM journal WHERE resource_id LIKE 'quiet%'`
    expect(entries.n).toBe(0)
  })
  test("a held back row that fails in another job's statement fails only its own job: the batch runs again, each job's writes on their own", async () => {
    const store = createPgResourceStore(drizzle({ client: db.sql }))
    const create = (r: StoredResource) =>
      store.write(function* (tx) {
        yield* tx.insert(User, r)
        yield* tx.journal(createDraft(r.id, T0, null))
        return r.id
      })
    // The first job runs alone; the three after it arrive meanwhile and share the next transaction.
    const first = create(user('held0'))
    const results = await Promise.allSettled([
      first,
      create(user('held1', 'same')),
      create(user('held2', 'SAME')),
      // Its read sends the two rows before it, whose statement fails on the second's userName.
      store.write(function* (tx) {
        return (yield* tx.get(User, 'held1'))?.id
      }),
    ])
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as ScimError).status))).toEqual([
      'held0',
      'held1',
      409,
      'held1',
    ])
    expect(await run(store.get(User, 'held2'))).toBeUndefined()
    const [entries] = await db.sql`SELECT count(*)::int AS n FROM journal WHERE resource_id LIKE 'held%'`
    expect(entries.n).toBe(2)
    expect((await verifyPgJournal(db.sql)).ok).toBe(true)
  })
  test('a batch of large documents goes in several statements, and every one commits with its entry', async () => {
    const store = createPgResourceStore(drizzle({ client: db.sql }))
    const big = (i: number): StoredResource => ({
      ...user(`big${i}`),
      data: { userName: `big${i}`, title: 'x'.repeat(900_000) },
    })
    const ids = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        store.write(function* (tx) {
          yield* tx.insert(User, big(i))
          yield* tx.journal({
            ...createDraft(`big${i}`, T0, null),
            changes: [{ path: 'title', after: 'x'.repeat(900_000) }],
          })
          return `big${i}`
        })
      )
    )
    expect(ids).toHaveLength(12)
    const [rows] =
      await db.sql`SELECT count(*)::int AS n, min(length(data ->> 'title'))::int AS len FROM resources WHERE id LIKE 'big%'`
    expect(rows).toEqual({ n: 12, len: 900_000 })
    const [entries] = await db.sql`SELECT count(*)::int AS n FROM journal WHERE resource_id LIKE 'big%'`
    expect(entries.n).toBe(12)
    expect((await verifyPgJournal(db.sql)).ok).toBe(true)
  })
  test('one transaction of 600 creates (past the 256 rows one statement carries) keeps them all in order, each with its entry', async () => {
    const store = createPgResourceStore(drizzle({ client: db.sql }))
    const n = 600
    await store.write(function* (tx) {
      for (let i = 0; i < n; i++) {
        yield* tx.insert(User, user(`many${String(i).padStart(4, '0')}`))
        yield* tx.journal(createDraft(`many${String(i).padStart(4, '0')}`, T0, null))
      }
    })
    const rows = (await db.sql`SELECT id FROM resources WHERE id LIKE 'many%' ORDER BY seq`) as { id: string }[]
    expect(rows.map((r) => r.id)).toEqual(Array.from({ length: n }, (_, i) => `many${String(i).padStart(4, '0')}`))
    const [entries] = await db.sql`SELECT count(*)::int AS n FROM journal WHERE resource_id LIKE 'many%'`
    expect(entries.n).toBe(n)
    expect((await verifyPgJournal(db.sql)).ok).toBe(true)
  })
})
