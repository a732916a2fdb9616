// The tenants table on PostgreSQL: a refused add changes nothing and fails as a TenantError, never a database error.
import { expect, test } from 'bun:test'
import { pgAddTenant, pgReadTenants } from '../../src/store-pg/tenants'
import { TenantError } from '../../src/tenants/create'
import { migratedDatabase, testPostgres } from '../helpers/postgres'

const server = await testPostgres()

test.skipIf(!server)(
  'store-pg/tenants: a name with NUL is refused as a bad name before any statement (PostgreSQL text cannot hold it)',
  async () => {
    const db = await migratedDatabase(server!)
    try {
      const before = await pgReadTenants(db.sql)
      for (const name of ['a\u0000', '\u0000']) {
        const refused = await pgAddTenant(db.sql, { name, packs: [], schemas: [], settings: {} }).catch((err) => err)
        expect(refused).toBeInstanceOf(TenantError)
        expect((refused as Error).message).toContain('is not [a-z0-9][a-z0-9-]{0,62}')
      }
      expect(await pgReadTenants(db.sql)).toEqual(before)
    } finally {
      await db.drop()
    }
  }
)
