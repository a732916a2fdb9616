// The tenants' rows and stores on the embedded SQLite database: one connection, write queue and lookup cache for all.
import type { Database } from 'bun:sqlite'
import type { BunSQLiteDatabase } from 'drizzle-orm/bun-sqlite'
import type { Limits } from '../scim/limits'
import { LookupCache } from '../store/lookup-cache'
import { createResourceStore } from '../store/resource-store'
import type * as tables from '../store/tables'
import type { WriteQueue } from '../store/write-queue'
import type { TenantStores } from './registry'
import { readTenants } from './rows'

export interface SqliteTenantStoresOptions {
  sqlite: Database
  orm: BunSQLiteDatabase<typeof tables>
  /** ONE write queue for every tenant's store: SQLite has one writer, so writes share its group commits. */
  queue: WriteQueue
  /** ONE lookup cache: --cache-bytes bounds what all tenants keep together; this, when given, its entries too. */
  cacheSize?: number
  limits: Limits
  /** False: no provisioning journal (the benchmark switch SCIM_JOURNAL=off). */
  journaling?: boolean
}

export function sqliteTenantStores(options: SqliteTenantStoresOptions): TenantStores {
  const { sqlite, orm, queue, limits, journaling } = options
  const lookups = new LookupCache(options.cacheSize, limits.cacheBytes)
  return {
    readRows: () => readTenants(sqlite),
    storeFor: (tenant, generation) =>
      createResourceStore(orm, sqlite, { tenant, generation, queue, lookups, limits, journaling }),
  }
}
