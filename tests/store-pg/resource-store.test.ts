// What only the PostgreSQL store does: deadlocked jobs run again, committed writes are announced to other replicas, replicas share one chain, readiness.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { SQL } from 'bun'
import { drizzle } from 'drizzle-orm/bun-sql'
import type { StoredResource } from '../../src/service/context'
import { awaited, run } from '../../src/service/effect'
import { type Invalidation, subscribeInvalidations } from '../../src/store-pg/invalidation'
import { pgJournalAfter } from '../../src/store-pg/journal-read'
import { verifyPgJournal } from '../../src/store-pg/journal-verify'
import { applyPgMigrations } from '../../src/store-pg/migrate'
import { MIGRATIONS } from '../../src/store-pg/migrations.gen'
import { createPgResourceStore } from '../../src/store-pg/resource-store'
import { builtinRegistry, typeOf } from '../helpers/generate'
import { freshDatabase, testPostgres, type TestDatabase } from '../helpers/postgres'
import { createDraft } from '../helpers/journal-draft'

const server = await testPostgres()
const User = typeOf(builtinRegistry(), 'User')
const T0 = '2026-01-01T00:00:00.000Z'
const user = (id: string): StoredResource => ({
  id,
  type: 'User',
  data: { userName: id },
  version: 1,
  created: T0,
  lastModified: T0,
})

describe.skipIf(!server)('store-pg/resource-store', () => {
  let db: TestDatabase
  beforeAll(async () => {
    db = await freshDatabase(server!)
    await applyPgMigrations(db.sql, MIGRATIONS)
    await db.sql`INSERT INTO tenants (name, created) VALUES ('acme', '2026-01-01T00:00:00.000Z')`
  })
  afterAll(async () => {
    await db?.drop()
  })

  test('two jobs that lock two rows in opposite orders deadlock; the one PostgreSQL aborts runs again and both commit', async () => {
    // Two stores, as two replicas: one store's concurrent jobs share one transaction and never meet.
    const store = createPgResourceStore(drizzle({ client: db.sql }))
    const replica = createPgResourceStore(drizzle({ client: db.sql }))
    await store.write(function* (tx) {
      yield* tx.insert(User, user('a'))
      yield* tx.insert(User, user('b'))
    })
    const runs = { first: 0, second: 0 }
    let firstHas!: () => void
    let secondHas!: () => void
    const firstLocked = new Promise<void>((r) => (firstHas = r))
    const secondLocked = new Promise<void>((r) => (secondHas = r))
    const swap = (name: 'first' | 'second', mine: string, theirs: string, locked: () => void, wait: Promise<void>) =>
      (name === 'first' ? store : replica).write(function* (tx) {
        runs[name]++
        const row = (yield* tx.get(User, mine))!
        locked()
        yield* awaited(wait)
        yield* tx.get(User, theirs)
        yield* tx.update(User, row, { ...row, data: { userName: mine, title: name }, version: row.version + 1 })
      })
    await Promise.all([
      swap('first', 'a', 'b', firstHas, secondLocked),
      swap('second', 'b', 'a', secondHas, firstLocked),
    ])
    // At least one job ran again; under load PostgreSQL may pick the retried job once more, within ATTEMPTS.
    expect(runs.first + runs.second).toBeGreaterThanOrEqual(3)
    expect(runs.first + runs.second).toBeLessThanOrEqual(5)
    expect([(await run(store.get(User, 'a')))!.data.title, (await run(store.get(User, 'b')))!.data.title]).toEqual([
      'first',
      'second',
    ])
  })

  test('with publish, a committed write names its ids on the invalidation channel; a rolled-back one names nothing', async () => {
    const store = createPgResourceStore(drizzle({ client: db.sql }), { tenant: 'default', publish: true })
    const listener = new SQL(db.url, { max: 1 })
    const heard: Invalidation[] = []
    let arrived!: () => void
    const next = () => new Promise<void>((r) => (arrived = r))
    const waiting = next()
    const subscription = await subscribeInvalidations(listener, {
      drop: (change) => {
        heard.push(change)
        arrived()
      },
      dropAll: () => {},
    })
    await store
      .write(function* (tx) {
        yield* tx.insert(User, user('rolled-back'))
        throw new Error('no')
      })
      .catch(() => {})
    await store.write((tx) => tx.insert(User, user('n1')))
    await waiting
    expect(heard).toEqual([{ tenant: 'default', ids: ['n1'] }])
    await subscription.unlisten()
    await listener.close()
  })

  test('two replicas (each its own client) appending for one tenant at once: one chain, read back in seq order', async () => {
    const replicas = [new SQL(db.url, { max: 3 }), new SQL(db.url, { max: 3 })]
    const stores = replicas.map((client) => createPgResourceStore(drizzle({ client }), { tenant: 'acme' }))
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        stores[i % 2]!.write(function* (tx) {
          const r = user(`acme-${i}`)
          yield* tx.insert(User, r)
          yield* tx.journal({
            at: T0,
            actor: `replica ${i % 2}`,
            requestId: null,
            op: 'create',
            resourceType: 'User',
            resourceId: r.id,
            versionBefore: null,
            versionAfter: 1,
            changes: [{ path: 'userName', after: r.id }],
            compat: [],
            cascade: false,
          })
        })
      )
    )
    await Promise.all(replicas.map((r) => r.close()))
    const verdict = await verifyPgJournal(db.sql, 'acme')
    expect(verdict.ok && verdict.tenants.map((t) => t.count)).toEqual([40])
    const all = await pgJournalAfter(db.sql, 'acme', 0, Infinity)
    expect(all.map((e) => e.resourceId).sort()).toEqual(Array.from({ length: 40 }, (_, i) => `acme-${i}`).sort())
    all.forEach((e, i) => {
      expect(e.prevHash).toBe(i === 0 ? '' : all[i - 1]!.hash)
    })
    const rest = await pgJournalAfter(db.sql, 'acme', all[29]!.seq, 5)
    expect(rest.map((e) => e.seq)).toEqual(all.slice(30, 35).map((e) => e.seq))
    expect(rest[0]).toMatchObject({ tenant: 'acme', op: 'create', cascade: false, compat: [], versionAfter: 1 })
  })

  test('two replicas creating one userName (folded) at once in batches: exactly one commits it, the other is 409, the rest of both batches commit', async () => {
    const replicas = [new SQL(db.url, { max: 3 }), new SQL(db.url, { max: 3 })]
    const stores = replicas.map((client) => createPgResourceStore(drizzle({ client }), { tenant: 'acme' }))
    const create = (store: number, id: string, userName: string) =>
      stores[store]!.write(function* (tx) {
        yield* tx.insert(User, { ...user(id), data: { userName } })
        yield* tx.journal(createDraft(id, T0, null, userName))
        return id
      })
    // Each replica's first job runs alone; the ones after it share its next transaction.
    const results = await Promise.allSettled(
      [0, 1].flatMap((r) => [
        create(r, `race-${r}-first`, `race-${r}-first`),
        ...Array.from({ length: 6 }, (_, i) => create(r, `race-${r}-${i}`, `race-${r}-${i}`)),
        create(r, `race-${r}-taken`, r === 0 ? 'Race-Taken' : 'race-taken'),
      ])
    )
    await Promise.all(replicas.map((r) => r.close()))
    const refused = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as { status?: number }).status] : []))
    expect(refused).toEqual([409])
    const [taken] = await db.sql`SELECT count(*)::int AS n FROM resources WHERE name_ci = 'race-taken'`
    expect(taken.n).toBe(1)
    const [rows] = await db.sql`SELECT count(*)::int AS n FROM resources WHERE id LIKE 'race-%'`
    const [entries] = await db.sql`SELECT count(*)::int AS n FROM journal WHERE resource_id LIKE 'race-%'`
    expect([rows.n, entries.n]).toEqual([15, 15])
    expect((await verifyPgJournal(db.sql, 'acme')).ok).toBe(true)
  })

  test("readiness: a migrated database serves; one missing this build's migrations does not", async () => {
    const ready = createPgResourceStore(drizzle({ client: db.sql }))
    // The probe answers without waiting: nothing is known before the first check has finished.
    expect(ready.readinessProblem()).toBe('the database has not been checked yet')
    expect(await ready.checkReadiness()).toBeUndefined()
    expect(ready.readinessProblem()).toBeUndefined()
    const empty = await freshDatabase(server!)
    try {
      await empty.sql.unsafe(
        'CREATE SCHEMA drizzle; CREATE TABLE drizzle.__drizzle_migrations (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint)'
      )
      const unmigrated = createPgResourceStore(drizzle({ client: empty.sql }))
      const problem = await unmigrated.checkReadiness()
      expect(problem).toBe(`the database lacks ${MIGRATIONS.length} migration(s) of this build`)
      expect(unmigrated.readinessProblem()).toBe(problem)
    } finally {
      await empty.drop()
    }
  })
})
