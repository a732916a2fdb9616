// What the PostgreSQL store needs from Drizzle over Bun's SQL client: savepoints, prepared statements, row locks, LISTEN/NOTIFY, advisory locks.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { SQL } from 'bun'
import { eq, sql } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/bun-sql'
import { applyPgMigrations } from '../../src/store-pg/migrate'
import { MIGRATIONS } from '../../src/store-pg/migrations.gen'
import { resources } from '../../src/store-pg/tables'
import { freshDatabase, testPostgres, type TestDatabase } from '../helpers/postgres'

const server = await testPostgres()

const row = (id: string, userName: string) => ({
  id,
  type: 'User',
  nameCi: userName.toLowerCase(),
  data: { userName },
  version: 1,
  created: '2026-01-01T00:00:00.000Z',
  lastModified: '2026-01-01T00:00:00.000Z',
})

describe.skipIf(!server)('Drizzle over Bun SQL (drizzle-orm/bun-sql)', () => {
  let db: TestDatabase
  let orm: ReturnType<typeof drizzle>
  beforeAll(async () => {
    db = await freshDatabase(server!)
    await applyPgMigrations(db.sql, MIGRATIONS)
    orm = drizzle({ client: db.sql })
  })
  afterAll(async () => {
    await db?.drop()
  })

  test('a nested transaction is a savepoint: its failure rolls back only its own writes', async () => {
    await orm.transaction(async (tx) => {
      await tx.insert(resources).values(row('s1', 'one'))
      const failed = await tx
        .transaction(async (inner) => {
          await inner.insert(resources).values(row('s2', 'two'))
          await inner.insert(resources).values(row('s3', 'ONE')) // the per-tenant userName index refuses it
        })
        .then(
          () => undefined,
          (err: Error) => err
        )
      expect(String(failed?.cause)).toContain('resources_tenant_user_name_unique')
    })
    const ids = await orm.select({ id: resources.id }).from(resources).orderBy(resources.id)
    expect(ids.map((r) => r.id)).toEqual(['s1'])
  })

  test('prepared statements with placeholders, jsonb read back as objects', async () => {
    const byId = orm
      .select({ data: resources.data, seq: resources.seq })
      .from(resources)
      .where(eq(resources.id, sql.placeholder('id')))
      .prepare('resource_by_id')
    const [found] = await byId.execute({ id: 's1' })
    expect(found?.data).toEqual({ userName: 'one' })
    expect(typeof found?.seq).toBe('number')
    expect(await byId.execute({ id: 'none' })).toEqual([])
  })

  test('SELECT … FOR UPDATE holds the row against a second connection until commit', async () => {
    const other = new SQL(db.url, { max: 1 })
    await orm.transaction(async (tx) => {
      await tx.select().from(resources).where(eq(resources.id, 's1')).for('update')
      // Bun SQL queries are lazy thenables: .then() runs it.
      const second = await other`SELECT id FROM resources WHERE id = 's1' FOR UPDATE NOWAIT`.then(
        () => undefined,
        (err: Error) => err
      )
      expect(second?.message).toContain('could not obtain lock')
    })
    expect(await other`SELECT id FROM resources WHERE id = 's1' FOR UPDATE NOWAIT`).toHaveLength(1)
    await other.close()
  })

  test('LISTEN/NOTIFY reaches another connection (cache invalidation across replicas)', async () => {
    const listener = new SQL(db.url, { max: 1 })
    const { promise, resolve } = Promise.withResolvers<string>()
    const subscription = await listener.listen('scim_changes', (payload) => resolve(payload))
    await orm.execute(sql`SELECT pg_notify('scim_changes', ${'default:User:s1'})`)
    expect(await promise).toBe('default:User:s1')
    await subscription.unlisten()
    await listener.close()
  })

  test('an advisory lock held by one session is refused to another until released', async () => {
    const a = new SQL(db.url, { max: 1 })
    const b = new SQL(db.url, { max: 1 })
    const [held] = await a`SELECT pg_try_advisory_lock(${'14'}::bigint) AS ok`
    const [refused] = await b`SELECT pg_try_advisory_lock(${'14'}::bigint) AS ok`
    await a`SELECT pg_advisory_unlock(${'14'}::bigint)`
    const [later] = await b`SELECT pg_try_advisory_lock(${'14'}::bigint) AS ok`
    expect([held?.ok, refused?.ok, later?.ok]).toEqual([true, false, true])
    await Promise.all([a.close(), b.close()])
  })

  test('a document inserted through Drizzle is stored as a jsonb object, not a JSON string', async () => {
    const [stored] = await db.sql`SELECT jsonb_typeof(data) AS kind FROM resources WHERE id = 's1'`
    expect(stored?.kind).toBe('object')
  })

  // A bound jsonb value must be the object itself: Bun encodes parameters typed jsonb as JSON, so a
  // JSON.stringify()d value would arrive as a JSON string.
  test('jsonb operators take bound keys and values', async () => {
    const rows = await orm.execute<{ id: string }>(
      sql`SELECT id FROM resources WHERE data ->> ${'userName'}::text = ${'one'} AND data @> ${sql.param({ userName: 'one' })}::jsonb`
    )
    expect(rows.map((r) => r.id)).toEqual(['s1'])
  })
})
