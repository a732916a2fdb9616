// On PostgreSQL too, a resource's history is read through the (tenant, resource_id) index, not by walking the tenant's journal.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { pageQuery } from '../../src/console/journal-data'
import { PG_JOURNAL } from '../../src/store-pg/console-journal'
import { migratedDatabase, testPostgres, type TestDatabase } from '../helpers/postgres'

const server = await testPostgres()

describe.skipIf(!server)('store-pg: the history read', () => {
  let db: TestDatabase
  beforeAll(async () => {
    db = await migratedDatabase(server!)
    // 20,000 entries of 2,000 resources, with statistics: the planner chooses as it would on a real journal.
    await db.sql.unsafe(`INSERT INTO journal (seq, tenant, at, op, resource_type, resource_id, changes, compat, cascade, prev_hash, hash)
      SELECT n, 'default', '2026-01-01T00:00:00.000Z', 'patch', 'User', 'r' || (n % 2000), '[]', '[]', 0, '', ''
      FROM generate_series(1, 20000) n`)
    await db.sql`ANALYZE journal`
  })
  afterAll(async () => {
    await db?.drop()
  })

  test('the detail page and the journal filtered by resource use journal_tenant_resource', async () => {
    for (const filter of [
      { tenant: 'default', resourceType: 'User', resourceId: 'r7' },
      { tenant: 'default', resourceId: 'r7' },
    ]) {
      const q = pageQuery(filter, 1000, 50, PG_JOURNAL)
      const plan = ((await db.sql.unsafe(`EXPLAIN ${q.sql}`, q.values)) as { 'QUERY PLAN': string }[])
        .map((r) => r['QUERY PLAN'])
        .join('\n')
      expect(plan).toContain('Index Scan Backward using journal_tenant_resource')
      expect(plan).not.toContain('Sort')
    }
  })
})
