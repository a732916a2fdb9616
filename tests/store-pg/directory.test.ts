// PgDirectory: the snapshot of tenants and tokens, the same map while nothing changed, the last good read kept on failure.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { SQL } from 'bun'
import { PgDirectory } from '../../src/store-pg/directory'
import { pgIssueToken } from '../../src/store-pg/tokens'
import { applyPgMigrations } from '../../src/store-pg/migrate'
import { MIGRATIONS } from '../../src/store-pg/migrations.gen'
import { freshDatabase, migratedDatabase, testPostgres, type TestDatabase } from '../helpers/postgres'

const server = await testPostgres()

describe.skipIf(!server)('store-pg/directory', () => {
  let db: TestDatabase
  beforeAll(async () => {
    db = await migratedDatabase(server!)
  })
  afterAll(async () => {
    await db?.drop()
  })

  test('reads both tables; an unchanged token table gives the same map object, a change a new one', async () => {
    const directory = new PgDirectory(db.sql)
    await directory.refresh()
    expect(directory.tenants().map((t) => t.name)).toEqual(['default'])
    const before = directory.tokens().byHash()
    await directory.refresh()
    expect(directory.tokens().byHash()).toBe(before)
    const { record } = await pgIssueToken(db.sql, { tenant: 'default', label: 'hr', scope: 'read' })
    await directory.refresh()
    const after = directory.tokens().byHash()
    expect(after).not.toBe(before)
    // With the generation of its tenant, read in the same statement.
    const [tenant] = await db.sql`SELECT generation FROM tenants WHERE name = 'default'`
    expect([...after.values()]).toContainEqual({ ...record, generation: (tenant as { generation: string }).generation })
  })

  test('a read that fails keeps the last snapshot serving and is reported', async () => {
    const sql = new SQL(db.url, { max: 1 })
    const errors: unknown[] = []
    const directory = new PgDirectory(sql, { everyMs: 10, onError: (err) => errors.push(err) })
    await directory.start()
    const tokens = directory.tokens().byHash()
    await sql.close()
    await Bun.sleep(60)
    directory.stop()
    expect(errors.length).toBeGreaterThan(0)
    expect(directory.tokens().byHash()).toBe(tokens)
    expect(directory.tenants().map((t) => t.name)).toEqual(['default'])
  })

  // SQLite orders tenant names by code point; a database may be created with any collation (here
  // one that orders digits as numbers), and the console lists tenants in the order read here.
  test('tenants come in code-point order whatever the collation of the database', async () => {
    const icu = await freshDatabase(
      server!,
      "TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US-u-kn' LOCALE 'C.UTF-8'"
    )
    try {
      await applyPgMigrations(icu.sql, MIGRATIONS)
      for (const name of ['t9', 't10'])
        await icu.sql`INSERT INTO tenants (name, created) VALUES (${name}, '2026-01-01T00:00:00Z')`
      const directory = new PgDirectory(icu.sql)
      await directory.refresh()
      expect(directory.tenants().map((t) => t.name)).toEqual(['default', 't10', 't9'])
    } finally {
      await icu.drop()
    }
  })
})
