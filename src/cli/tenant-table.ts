// The tenants table as `tenant` commands use it, as effects: a SQLite file's at once, a PostgreSQL database's awaited.
import { openCommandDatabase } from './command-db'
import type { Database } from 'bun:sqlite'
import { placePushStreams, type PushStart } from '../events/push-urls'
import { awaited, type Effect } from '../service/effect'
import {
  pgChangeTenant,
  pgCountTenant,
  pgCreateTenant,
  pgDeleteTenant,
  pgReadTenant,
  pgReadTenants,
} from '../store-pg/tenants'
import { checkSchemas, checkSettings, createTenant, noSuchTenant } from '../tenants/create'
import type { TenantConfig, TenantRow } from '../tenants/config'
import { countTenant, deleteTenant, readTenant, readTenants, type TenantCounts, updateTenant } from '../tenants/rows'
import { pgCommandDatabase } from './pg-database'

/** A tenant as a command gives it to the table: the row without its creation time. */
export type NewTenant = Omit<TenantConfig, 'created' | 'generation'>

/**
 * What the `tenant` commands read and write (src/service/effect.ts): one command code drives
 * either store. Every method that writes is one transaction; each checks what it writes as
 * tenants/create.ts says, so a refused change (TenantError) writes nothing.
 */
export interface TenantTable {
  /** Every row, by name. */
  rows(): Effect<TenantRow[]>
  find(name: string): Effect<TenantConfig | undefined>
  count(name: string): Effect<TenantCounts>
  /** Adds the tenant, its first provisioning token and its push receivers' positions; the token. */
  add(config: NewTenant, pushFrom: PushStart): Effect<string>
  /** Stores `edit` of the tenant as it is now (its schemas checked), and moves its push receivers' positions. */
  change(name: string, edit: (before: TenantConfig) => NewTenant, pushFrom: PushStart): Effect<void>
  /** Deletes the tenant with everything it holds; what went. */
  remove(name: string): Effect<TenantCounts>
  close(): Effect<void>
}

/** The checked result of `edit`: packs and documents that would not load, or a setting out of bounds, refuse the change. */
function checkedEdit(edit: (before: TenantConfig) => NewTenant): (before: TenantConfig) => NewTenant {
  return (before) => {
    const after = edit(before)
    checkSchemas(after)
    checkSettings(after.settings)
    return after
  }
}

/** The tenants table of the SQLite file at `path` (created only when `create`); throws a DatabaseError. */
export function sqliteTenantTable(path: string, create: boolean): TenantTable {
  const db: Database = openCommandDatabase(path, create).sqlite
  return {
    *rows() {
      return readTenants(db)
    },
    *find(name) {
      return readTenant(db, name)
    },
    *count(name) {
      return countTenant(db, name)
    },
    *add(config, pushFrom) {
      // Immediate, as createTenant inside it (which then runs as a savepoint): it reads first.
      return db
        .transaction(() => {
          const token = createTenant(db, config)
          placePushStreams(db, config.name, [], config.settings.pushUrls ?? [], pushFrom)
          return token
        })
        .immediate()
    },
    *change(name, edit, pushFrom) {
      // Immediate: the read below is then already under the write lock, so no change lands between.
      db.transaction(() => {
        const before = readTenant(db, name)
        if (!before) throw noSuchTenant(name)
        const after = checkedEdit(edit)(before)
        updateTenant(db, after)
        placePushStreams(db, name, before.settings.pushUrls ?? [], after.settings.pushUrls ?? [], pushFrom)
      }).immediate()
    },
    *remove(name) {
      if (!readTenant(db, name)) throw noSuchTenant(name)
      return deleteTenant(db, name)
    },
    *close() {
      db.close()
    },
  }
}

/** The tenants table of the PostgreSQL database at `url`; `migrate` applies pending migrations first (`tenant add`). */
export function pgTenantTable(url: string, migrate: boolean): TenantTable {
  const { sql, ready } = pgCommandDatabase(url, { migrate })
  return {
    *rows() {
      yield* awaited(ready)
      return yield* awaited(pgReadTenants(sql))
    },
    *find(name) {
      yield* awaited(ready)
      return yield* awaited(pgReadTenant(sql, name))
    },
    *count(name) {
      yield* awaited(ready)
      return yield* awaited(pgCountTenant(sql, name))
    },
    *add(config, pushFrom) {
      yield* awaited(ready)
      return yield* awaited(pgCreateTenant(sql, config, pushFrom))
    },
    *change(name, edit, pushFrom) {
      yield* awaited(ready)
      yield* awaited(pgChangeTenant(sql, name, checkedEdit(edit), pushFrom))
    },
    *remove(name) {
      yield* awaited(ready)
      return yield* awaited(pgDeleteTenant(sql, name))
    },
    *close() {
      yield* awaited(sql.close())
    },
  }
}
