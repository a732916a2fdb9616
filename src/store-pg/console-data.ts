// The admin console's data in PostgreSQL: its journal, the tokens page's changes and the tenants page's rows and add.
import type { SQL } from 'bun'
import type { ConsoleData, ConsoleTenants } from '../console/console-store'
import type { TenantConfig, TenantRow } from '../tenants/config'
import { checkSchemas, TenantError } from '../tenants/create'
import { isTenantName } from '../tenants/name'
import { pgConsoleJournal } from './console-journal'
import { pgIssueToken, pgListTokens, pgRevokeToken } from './tokens'

/**
 * Adds a tenant's row with addTenant's checks (tenants/create.ts) and words: a bad name, a name
 * taken or schemas that do not load change nothing. The insert itself decides "taken" (ON
 * CONFLICT), so two replicas adding one name at once make one tenant and one refusal.
 */
export async function pgAddTenant(sql: SQL, config: Omit<TenantConfig, 'created'>): Promise<void> {
  const { name } = config
  if (!isTenantName(name))
    throw new TenantError(`tenant name '${name}' is not [a-z0-9][a-z0-9-]{0,62} (lower-case letters, digits, -)`)
  checkSchemas(config)
  const added = await sql`INSERT INTO tenants (name, packs, schemas, settings, created)
    VALUES (${name}, ${JSON.stringify(config.packs)}, ${JSON.stringify(config.schemas)},
            ${JSON.stringify(config.settings)}, ${new Date().toISOString()})
    ON CONFLICT (name) DO NOTHING RETURNING name`
  if (added.length === 0) throw new TenantError(`tenant ${name} exists already`)
}

export interface PgConsoleDataOptions {
  /** The tenants as this replica serves them (store-pg/directory.ts's snapshot, at most 250 ms old). */
  tenantRows: () => readonly TenantRow[] | Promise<readonly TenantRow[]>
  /** How the tenants page adds one; pgAddTenant unless another add is given. */
  addTenant?: (config: Omit<TenantConfig, 'created'>) => Promise<void>
}

/** The console's data over the database of a server's replicas. */
export function pgConsoleData(sql: SQL, options: PgConsoleDataOptions): ConsoleData {
  const tenants: ConsoleTenants = {
    rows: async () => options.tenantRows(),
    add: options.addTenant ?? ((config) => pgAddTenant(sql, config)),
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
