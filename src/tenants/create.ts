// Creating a tenant: the one mechanism behind `tenant add` and an embedded server's createTenant.
import type { Database } from 'bun:sqlite'
import { issueToken } from '../cli/token-store'
import { registryOf, SETTING_BOUNDS, type TenantConfig, type TenantSettings } from './config'
import { isTenantName } from './name'
import { insertTenant, readTenant } from './rows'

/** A tenant change refused: a bad name, a name taken, schemas that do not load, an unknown tenant. */
export class TenantError extends Error {}

/** Refuses packs or documents that would not build a registry, exactly as `serve` would refuse its flags. */
export function checkSchemas(config: Pick<TenantConfig, 'packs' | 'schemas'>): void {
  try {
    registryOf(config.packs, config.schemas)
  } catch (err) {
    throw new TenantError(`the tenant's schemas do not load: ${(err as Error).message}`)
  }
}

/**
 * Refuses a numeric setting outside the bounds `tenant add` and `tenant set` take (config.ts
 * SETTING_BOUNDS): an embedded server's createTenant hands its options in unparsed, and a
 * maxResults of 0 or -5 was stored, served in /ServiceProviderConfig and made every list empty.
 */
export function checkSettings(settings: TenantSettings): void {
  for (const [key, { min, max }] of Object.entries(SETTING_BOUNDS)) {
    const value = settings[key as keyof typeof SETTING_BOUNDS]
    if (value !== undefined && !(Number.isSafeInteger(value) && value >= min && value <= max))
      throw new TenantError(`${key} must be a whole number from ${min} to ${max}, got ${String(value)}`)
  }
}

/** The refusal of a change to a tenant that is not there. */
export const noSuchTenant = (name: string) => new TenantError(`no tenant is called ${name} (tenant list shows them)`)

/** Refuses a name that is not a tenant name (tenants/name.ts). */
export function checkTenantName(name: string): void {
  if (!isTenantName(name))
    throw new TenantError(`tenant name '${name}' is not [a-z0-9][a-z0-9-]{0,62} (lower-case letters, digits, -)`)
}

/**
 * Refuses a new tenant, in this order, for a bad name, a name `taken` already, schemas that
 * do not load, or a setting out of bounds; every store checks a tenant it adds with this before it writes the row.
 */
export function checkNewTenant(config: Omit<TenantConfig, 'created' | 'generation'>, taken: boolean): void {
  const { name } = config
  checkTenantName(name)
  if (taken) throw new TenantError(`tenant ${name} exists already`)
  checkSchemas(config)
  checkSettings(config.settings)
}

/**
 * Checks and adds the row, without a token: the console's create form, whose tenant gets its
 * first token on its own tokens page. A bad name, a name taken or schemas that do not load
 * change nothing.
 */
export function addTenant(db: Database, config: Omit<TenantConfig, 'created' | 'generation'>): void {
  // Immediate, so the check and the insert are one step: another process adding the same name
  // in between made the insert a raw UNIQUE constraint error (a 500 in the console).
  db.transaction(() => {
    checkNewTenant(config, readTenant(db, config.name) !== undefined)
    insertTenant(db, config)
  }).immediate()
}

/** Adds the row and the tenant's first provisioning token in one transaction; returns the token. */
export function createTenant(db: Database, config: Omit<TenantConfig, 'created' | 'generation'>): string {
  // Immediate: addTenant reads first, and a deferred transaction that has read is refused the
  // write lock at once (SQLITE_BUSY, busy_timeout notwithstanding) when a server wrote meanwhile.
  return db
    .transaction(() => {
      addTenant(db, config)
      return issueToken(db, false, config.name)
    })
    .immediate()
}
