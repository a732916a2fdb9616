// `tenant add NAME` and `tenant remove NAME --yes` beside a running in-process server, on SQLite or PostgreSQL.
import type { Database } from 'bun:sqlite'
import type { SQL } from 'bun'
import { pgCreateTenant, pgDeleteTenant } from '../../src/store-pg/tenants'
import type { NewTenant } from '../../src/tenants/config'
import { createTenant } from '../../src/tenants/create'
import { deleteTenant } from '../../src/tenants/rows'

/** Adds and removes one tenant while the server runs, telling it each time, as the CLI's commands would. */
export interface TenantCycle {
  /** `tenant add`: the tenant's first (provisioning) token. */
  add(): Promise<string>
  /** `tenant remove --yes`. */
  remove(): Promise<void>
}

/** `tenant` on the server's SQLite database. */
export function sqliteTenantCycle(
  server: { sqlite: Database; tenantsChanged(): void },
  tenant: NewTenant
): TenantCycle {
  return {
    add: async () => {
      const token = createTenant(server.sqlite, tenant)
      server.tenantsChanged()
      return token
    },
    remove: async () => {
      deleteTenant(server.sqlite, tenant.name)
      server.tenantsChanged()
    },
  }
}

/** `tenant` over `sql`, a connection of its own to the server's PostgreSQL database; receivers start at the head. */
export function pgTenantCycle(sql: SQL, server: { tenantsChanged(): Promise<void> }, tenant: NewTenant): TenantCycle {
  return {
    add: async () => {
      const token = await pgCreateTenant(sql, tenant, 'head')
      await server.tenantsChanged()
      return token
    },
    remove: async () => {
      await pgDeleteTenant(sql, tenant.name)
      await server.tenantsChanged()
    },
  }
}
