// The PostgreSQL reads by key: several matches in insertion order whatever order the index holds them in, a user's groups read with the row.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { drizzle } from 'drizzle-orm/bun-sql'
import { run } from '../../src/service/effect'
import { applyPgMigrations } from '../../src/store-pg/migrate'
import { MIGRATIONS } from '../../src/store-pg/migrations.gen'
import { createPgResourceStore, type PgResourceStore } from '../../src/store-pg/resource-store'
import { builtinRegistry, typeOf } from '../helpers/generate'
import { freshDatabase, testPostgres, type TestDatabase } from '../helpers/postgres'
import { storedRow } from '../helpers/stored'

const server = await testPostgres()
const registry = builtinRegistry()
const User = typeOf(registry, 'User')
const Group = typeOf(registry, 'Group')
const T1 = '2026-01-02T00:00:00.000Z'
const row = storedRow

describe.skipIf(!server)('store-pg/reads', () => {
  let db: TestDatabase
  let store: PgResourceStore
  beforeAll(async () => {
    db = await freshDatabase(server!)
    await applyPgMigrations(db.sql, MIGRATIONS)
    store = createPgResourceStore(drizzle({ client: db.sql }))
  })
  afterAll(async () => {
    store?.close()
    await db?.drop()
  })

  test('several rows with one externalId come back in insertion order after the first was updated', async () => {
    const first = row('User', 'u-first', { userName: 'c-first', externalId: 'shared' })
    await store.write(function* (tx) {
      yield* tx.insert(User, first)
      yield* tx.insert(User, row('User', 'u-second', { userName: 'b-second', externalId: 'shared' }))
      yield* tx.insert(User, row('User', 'u-third', { userName: 'a-third', externalId: 'shared' }))
    })
    // The names sort against insertion order, and moving the first row's externalId away and back
    // gives it a new tuple and index entry behind the others: no index nor the heap gives seq order.
    const away = { ...first, data: { ...first.data, externalId: 'elsewhere' }, version: 2, lastModified: T1 }
    await store.write(function* (tx) {
      yield* tx.update(User, first, away)
    })
    await store.write(function* (tx) {
      yield* tx.update(User, away, { ...away, data: first.data, version: 3 })
    })
    const found = await run(store.findByExternalId(User, 'shared'))
    expect(found.map((r) => r.id)).toEqual(['u-first', 'u-second', 'u-third'])
  })

  test("a user's groups come with the row, ordered by group id, each with its display", async () => {
    await store.write(function* (tx) {
      yield* tx.insert(User, row('User', 'u-member', { userName: 'member' }))
      yield* tx.insert(User, row('User', 'u-alone', { userName: 'alone' }))
      yield* tx.insert(Group, row('Group', 'g-b', { displayName: 'Bees' }), [{ value: 'u-member', type: 'User' }])
      yield* tx.insert(Group, row('Group', 'g-a', { displayName: 'Ants' }), [{ value: 'u-member', type: 'User' }])
    })
    const [member] = await run(store.findByName(User, 'member'))
    expect(member?.groupsRead).toEqual([
      { value: 'g-a', type: 'Group', display: 'Ants' },
      { value: 'g-b', type: 'Group', display: 'Bees' },
    ])
    expect((await run(store.get(User, 'u-alone')))?.groupsRead).toEqual([])
    expect((await run(store.get(Group, 'g-a')))?.groupsRead).toBeUndefined()
  })
})
