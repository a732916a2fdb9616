// PostgreSQL migrations: applied once under the advisory lock even when replicas start together; the module is fresh.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { SQL } from 'bun'
import { renderMigrationsModule } from '../../scripts/migrations-module'
import { applyPgMigrations, pgMigrationStatus } from '../../src/store-pg/migrate'
import { MIGRATIONS } from '../../src/store-pg/migrations.gen'
import { freshDatabase, testPostgres, type TestDatabase } from '../helpers/postgres'

test('src/store-pg/migrations.gen.ts is fresh (run scripts/embed-migrations.ts when this fails)', async () => {
  const expected = await renderMigrationsModule(new URL('../../drizzle/pg/', import.meta.url).pathname, 'drizzle/pg/')
  const actual = await Bun.file(new URL('../../src/store-pg/migrations.gen.ts', import.meta.url).pathname).text()
  expect(actual).toBe(expected)
})

const server = await testPostgres()

describe.skipIf(!server)('store-pg/migrate', () => {
  let db: TestDatabase
  beforeAll(async () => {
    db = await freshDatabase(server!)
  })
  afterAll(async () => {
    await db?.drop()
  })

  test('two replicas migrating a fresh database at once both succeed; the schema is applied once', async () => {
    // Separate clients, as two processes would have: each runs its own transaction and lock.
    const replicas = [new SQL(db.url, { max: 1 }), new SQL(db.url, { max: 1 })]
    const applied = await Promise.all(replicas.map((r) => applyPgMigrations(r, MIGRATIONS)))
    await Promise.all(replicas.map((r) => r.close()))
    expect(applied.sort()).toEqual([0, MIGRATIONS.length])
    const book = await db.sql`SELECT hash FROM drizzle.__drizzle_migrations ORDER BY id`
    expect(book.map((r: { hash: string }) => r.hash)).toEqual(MIGRATIONS.map((m) => m.hash))
    const tenants = await db.sql`SELECT name FROM tenants`
    expect(tenants.map((r: { name: string }) => r.name)).toEqual(['default'])
    const tables = await db.sql`SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`
    expect(tables.map((r: { tablename: string }) => r.tablename)).toEqual([
      'admin_links',
      'admin_sessions',
      'admins',
      'event_acks',
      'event_keys',
      'event_streams',
      'group_members',
      'journal',
      'journal_chains',
      'resource_changes',
      'resources',
      'settings',
      'tenants',
      'tokens',
    ])
    expect(await pgMigrationStatus(db.sql, MIGRATIONS)).toEqual({ pending: [], unknown: 0 })
  })

  test('a migrated database: nothing pending, applying again changes nothing', async () => {
    expect(await applyPgMigrations(db.sql, MIGRATIONS)).toBe(0)
    const [{ n }] = await db.sql`SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations`
    expect(n).toBe(MIGRATIONS.length)
  })

  test('a migration newer than this build counts as unknown (a newer build migrated the database)', async () => {
    const newest = Math.max(...MIGRATIONS.map((m) => m.when))
    await db.sql`INSERT INTO drizzle.__drizzle_migrations (hash, created_at) VALUES ('future', ${newest + 1})`
    expect((await pgMigrationStatus(db.sql, MIGRATIONS)).unknown).toBe(1)
    await db.sql`DELETE FROM drizzle.__drizzle_migrations WHERE hash = 'future'`
  })

  test('the per-tenant userName index and the manager expression index exist as in the SQLite store', async () => {
    const rows = await db.sql`SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'resources'`
    const defs = new Map(rows.map((r: { indexname: string; indexdef: string }) => [r.indexname, r.indexdef]))
    expect(defs.get('resources_tenant_user_name_unique')).toContain('UNIQUE INDEX')
    expect(defs.get('resources_tenant_user_name_unique')).toContain("WHERE (type = 'User'::text)")
    expect(defs.get('resources_manager')).toContain("'manager'::text) ->> 'value'::text")
  })
})
