// The tenants table: read, add, change and remove rows, and count what a tenant holds.
import type { Database } from 'bun:sqlite'
import { DEFAULT_TENANT } from './name'
import { configOf, newGeneration, type NewTenant, type TenantConfig, type TenantRow } from './config'

export function readTenants(db: Database): TenantRow[] {
  return db
    .query<TenantRow, []>('SELECT name, packs, schemas, settings, created, generation FROM tenants ORDER BY name')
    .all()
}

export function readTenant(db: Database, name: string): TenantConfig | undefined {
  const row = db
    .query<TenantRow, [string]>(
      'SELECT name, packs, schemas, settings, created, generation FROM tenants WHERE name = ?'
    )
    .get(name)
  return row ? configOf(row) : undefined
}

export function insertTenant(db: Database, config: NewTenant): void {
  db.query('INSERT INTO tenants (name, packs, schemas, settings, created, generation) VALUES (?, ?, ?, ?, ?, ?)').run(
    config.name,
    JSON.stringify(config.packs),
    JSON.stringify(config.schemas),
    JSON.stringify(config.settings),
    new Date().toISOString(),
    newGeneration()
  )
}

export function updateTenant(db: Database, config: NewTenant): void {
  db.query('UPDATE tenants SET packs = ?, schemas = ?, settings = ? WHERE name = ?').run(
    JSON.stringify(config.packs),
    JSON.stringify(config.schemas),
    JSON.stringify(config.settings),
    config.name
  )
}

export interface TenantCounts {
  users: number
  groups: number
  memberships: number
  tokens: number
  /** Provisioning journal entries (they hold the resources' values, before and after). */
  journalEntries: number
}

export function countTenant(db: Database, name: string): TenantCounts {
  const n = (sql: string) => db.query<{ n: number }, [string]>(sql).get(name)?.n ?? 0
  return {
    users: n("SELECT count(*) AS n FROM resources WHERE tenant = ? AND type = 'User'"),
    groups: n("SELECT count(*) AS n FROM resources WHERE tenant = ? AND type = 'Group'"),
    memberships: n(
      'SELECT count(*) AS n FROM group_members WHERE group_id IN (SELECT id FROM resources WHERE tenant = ?)'
    ),
    tokens: n('SELECT count(*) AS n FROM tokens WHERE tenant = ?'),
    journalEntries: n('SELECT count(*) AS n FROM journal WHERE tenant = ?'),
  }
}

/**
 * Deletes the tenant with everything it holds, in one transaction: its memberships and resources
 * (group_members cascades from resources), its tokens, signing keys and event positions (they
 * cascade from the row), and its journal with the chain's head. The journal goes too because its
 * entries hold the resources' values, and because a tenant made again under the same name would
 * otherwise continue the old chain and hand the old tenant's changes to its new pollers. Returns
 * what went. The default tenant is never removed: /scim/v2 always has one behind it.
 */
export function deleteTenant(db: Database, name: string): TenantCounts {
  checkRemovable(name)
  // Immediate: it reads first, and a deferred transaction that reads cannot wait for the write lock.
  return db
    .transaction(() => {
      const counts = countTenant(db, name)
      db.query('DELETE FROM resources WHERE tenant = ?').run(name)
      db.query('DELETE FROM tokens WHERE tenant = ?').run(name)
      db.query('DELETE FROM journal WHERE tenant = ?').run(name)
      db.query('DELETE FROM journal_deleted WHERE tenant = ?').run(name)
      db.query('DELETE FROM journal_chains WHERE tenant = ?').run(name)
      db.query('DELETE FROM tenants WHERE name = ?').run(name)
      return counts
    })
    .immediate()
}

/** The guard of every store's removal: the default tenant stays, whatever the caller checked. */
export function checkRemovable(name: string): void {
  if (name === DEFAULT_TENANT) throw new Error('the default tenant cannot be removed')
}
