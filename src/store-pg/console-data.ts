// The admin console's data in PostgreSQL: its journal, the tokens page's changes and the tenants page's rows and add.
import type { SQL } from 'bun'
import type { ConsoleData, ConsoleTenants } from '../console/console-store'
import type { TenantRow } from '../tenants/config'
import { pgConsoleJournal } from './console-journal'
import { pgAddTenant } from './tenants'
import { pgIssueToken, pgListTokens, pgRevokeToken } from './tokens'

export interface PgConsoleDataOptions {
  /** The tenants as this replica serves them (store-pg/directory.ts's snapshot, at most 250 ms old). */
  tenantRows: () => readonly TenantRow[] | Promise<readonly TenantRow[]>
}

/** The console's data over the database of a server's replicas. */
export function pgConsoleData(sql: SQL, options: PgConsoleDataOptions): ConsoleData {
  const tenants: ConsoleTenants = {
    rows: async () => options.tenantRows(),
    add: (config) => pgAddTenant(sql, config),
  }
  return {
    journal: pgConsoleJournal(sql),
    tokens: {
      list: (tenant) => pgListTokens(sql, tenant),
      issue: (options, now) => pgIssueToken(sql, options, now),
      revoke: (id) => pgRevokeToken(sql, id),
    },
    tenants,
  }
}
