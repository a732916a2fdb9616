// The PostgreSQL store's cached reads by key: hits while a tenant is unchanged, and every change by any replica read at once.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { SQL } from 'bun'
import { drizzle } from 'drizzle-orm/bun-sql'
import type { StoredResource } from '../../src/service/context'
import { run } from '../../src/service/effect'
import { applyPgMigrations } from '../../src/store-pg/migrate'
import { MIGRATIONS } from '../../src/store-pg/migrations.gen'
import { selectOf } from '../../src/store-pg/reads'
import { type ReadRow, storedOf } from '../../src/store/hot-statements'
import { createPgResourceStore, type PgResourceStore } from '../../src/store-pg/resource-store'
import { pgDeleteTenant } from '../../src/store-pg/tenants'
import { LookupCache } from '../../src/store/lookup-cache'
import { builtinRegistry, typeOf } from '../helpers/generate'
import { freshDatabase, testPostgres, type TestDatabase } from '../helpers/postgres'
import { storedRow, T0 } from '../helpers/stored'

const server = await testPostgres()
const registry = builtinRegistry()
const User = typeOf(registry, 'User')
const Group = typeOf(registry, 'Group')
const T1 = '2026-01-02T00:00:00.000Z'
const resource = storedRow

/** What a read shows, to compare cached with uncached reads. */
const shown = (rows: readonly StoredResource[]) =>
  rows.map((r) => ({ id: r.id, data: r.data, version: r.version, groups: r.groupsRead ?? null }))

describe.skipIf(!server)('store-pg/cached-reads', () => {
  let db: TestDatabase
  // Two replicas: each its own client and its own cache.
  let clients: SQL[]
  let a: PgResourceStore
  let b: PgResourceStore
  const hitsOf = (s: PgResourceStore) => s.stats().lookupHits
  const byName = async (s: PgResourceStore, name: string) => shown(await run(s.findByName(User, name)))
  // The uncached read: the very select the cache's statement wraps, straight from the pool.
  const uncached = async (name: string) => {
    const rows = (await db.sql.unsafe(selectOf('User', 'name_ci = $3'), ['default', 'User', name])) as ReadRow[]
    return shown(rows.sort((x, y) => x.rowid - y.rowid).map((r) => storedOf('User', r)))
  }
  /** Reads `name` on replica a until it is served from a's cache. */
  const cachedOnA = async (name: string) => {
    for (let i = 0; i < 3; i++) await byName(a, name)
    const before = hitsOf(a)
    const rows = await byName(a, name)
    expect(hitsOf(a)).toBe(before + 1)
    return rows
  }

  beforeAll(async () => {
    db = await freshDatabase(server!)
    await applyPgMigrations(db.sql, MIGRATIONS)
    clients = [new SQL(db.url, { max: 2 }), new SQL(db.url, { max: 2 })]
    a = createPgResourceStore(drizzle({ client: clients[0]! }), { lookups: new LookupCache(undefined, 1 << 20) })
    b = createPgResourceStore(drizzle({ client: clients[1]! }), { lookups: new LookupCache(undefined, 1 << 20) })
  })
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()))
    await db?.drop()
  })

  test('a read is cached from its second miss and answered from the cache while the tenant does not change', async () => {
    await b.write((tx) => tx.insert(User, resource('User', 'u-hit', { userName: 'hit' })))
    const start = hitsOf(a)
    await byName(a, 'hit')
    await byName(a, 'hit')
    expect(hitsOf(a)).toBe(start)
    expect(await byName(a, 'hit')).toEqual(await uncached('hit'))
    expect(hitsOf(a)).toBe(start + 1)
    // By id and by externalId the same way.
    for (let i = 0; i < 3; i++) await run(a.get(User, 'u-hit'))
    expect((await run(a.get(User, 'u-hit')))?.data).toEqual({ userName: 'hit' })
    expect(hitsOf(a)).toBe(start + 3)
  })

  test('a change through another replica is read at once: update, delete, a created name that was missed', async () => {
    await b.write((tx) => tx.insert(User, resource('User', 'u-1', { userName: 'one', title: 'before' })))
    expect((await cachedOnA('one'))[0]?.data.title).toBe('before')
    const row = (await run(b.get(User, 'u-1')))!
    await b.write((tx) => tx.update(User, row, { ...row, data: { userName: 'one', title: 'after' }, version: 2 }))
    expect(await byName(a, 'one')).toEqual(await uncached('one'))
    expect((await byName(a, 'one'))[0]?.data.title).toBe('after')

    await cachedOnA('one')
    await b.write((tx) => tx.delete(User, { ...row, version: 2 }, T1))
    expect(await byName(a, 'one')).toEqual([])

    // An empty answer is cached too, and a create makes it stale.
    expect(await cachedOnA('later')).toEqual([])
    await b.write((tx) => tx.insert(User, resource('User', 'u-later', { userName: 'later' })))
    expect((await byName(a, 'later')).map((r) => r.id)).toEqual(['u-later'])
  })

  test('a user shows its groups: membership changes and a group rename through another replica are read at once', async () => {
    await b.write((tx) => tx.insert(User, resource('User', 'u-m', { userName: 'member' })))
    await b.write((tx) => tx.insert(Group, resource('Group', 'g-1', { displayName: 'Team' })))
    expect((await cachedOnA('member'))[0]?.groups).toEqual([])
    const group = (await run(b.get(Group, 'g-1')))!
    await b.write((tx) => tx.applyMemberOps(group, [{ kind: 'add', members: [{ value: 'u-m', type: 'User' }] }], T1))
    expect((await byName(a, 'member'))[0]?.groups).toEqual([{ value: 'g-1', type: 'Group', display: 'Team' }])

    await cachedOnA('member')
    const now = (await run(b.get(Group, 'g-1')))!
    await b.write((tx) => tx.update(Group, now, { ...now, data: { displayName: 'Renamed' }, version: now.version + 1 }))
    expect((await byName(a, 'member'))[0]?.groups).toEqual([{ value: 'g-1', type: 'Group', display: 'Renamed' }])
    expect(await byName(a, 'member')).toEqual(await uncached('member'))
  })

  test('random writes through one replica, each followed by reads on the other: every read equals an uncached one', async () => {
    let seed = 7
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31
      return seed % n
    }
    const names = Array.from({ length: 6 }, (_, i) => `r${i}`)
    const start = hitsOf(a)
    for (let step = 0; step < 120; step++) {
      const name = names[random(names.length)]!
      const id = `id-${name}`
      const current = await run(b.get(User, id))
      await b.write(function* (tx) {
        if (!current) yield* tx.insert(User, resource('User', id, { userName: name, title: `t${step}` }))
        else if (random(3) === 0) yield* tx.delete(User, current, T1)
        else
          yield* tx.update(User, current, {
            ...current,
            data: { userName: name, title: `t${step}` },
            version: current.version + 1,
          })
      })
      // Twice: the second read of a name admitted before is a hit, until the next write.
      for (let twice = 0; twice < 2; twice++)
        for (const n of names) expect(await byName(a, n)).toEqual(await uncached(n))
    }
    expect(hitsOf(a) - start).toBeGreaterThan(300)
  })

  test('two tenants sharing one cache never see each other; a removed tenant serves nothing it had cached', async () => {
    await db.sql`INSERT INTO tenants (name, created) VALUES ('t1', ${T0}), ('t2', ${T0})`
    const shared = new LookupCache(undefined, 1 << 20)
    const orm = drizzle({ client: clients[0]! })
    const [t1, t2] = ['t1', 't2'].map((tenant) => createPgResourceStore(orm, { tenant, lookups: shared }))
    await t1!.write((tx) => tx.insert(User, resource('User', 't1-u', { userName: 'same', title: 'of t1' })))
    await t2!.write((tx) => tx.insert(User, resource('User', 't2-u', { userName: 'same', title: 'of t2' })))
    for (let i = 0; i < 4; i++) {
      expect((await byName(t1!, 'same')).map((r) => r.data.title)).toEqual(['of t1'])
      expect((await byName(t2!, 'same')).map((r) => r.data.title)).toEqual(['of t2'])
    }
    expect(hitsOf(t1!)).toBeGreaterThan(0)
    await pgDeleteTenant(db.sql, 't1')
    expect(await byName(t1!, 'same')).toEqual([])
    expect((await byName(t2!, 'same')).map((r) => r.data.title)).toEqual(['of t2'])
  })
})
