// Assembles database, tenants, stores, registries and HTTP app from settled options; main.ts and tests call it.
import { createApp } from './http/app'
import { ServerMetrics } from './metrics/registry'
import { limitsWith } from './scim/limits'
import { BUILTIN_RESOURCE_TYPES } from './scim/schema/builtin'
import type { ResourceStore, ServiceDeps } from './service/context'
import { openDatabase } from './store/db'
import { fixedTokens, storedTokens, type TokenRecord, type TokenSource } from './auth/token-registry'
import { observeCommits, WriteQueue } from './store/write-queue'
import { DEFAULT_TENANT } from './tenants/name'
import { TenantRegistry } from './tenants/registry'
import type { ServerOptions } from './server-options'

export type { ServerOptions }

export interface ScimServer {
  app: ReturnType<typeof createApp>
  /** The default tenant's store; closing it flushes every tenant's writes and closes the database. */
  store: ResourceStore
  /** The default tenant's services. */
  deps: ServiceDeps
  tenants: TenantRegistry
  /** After this process changed tenants or tokens itself: served at once, not within a second. */
  tenantsChanged(): void
  sqlite: ReturnType<typeof openDatabase>['sqlite']
  metrics: ServerMetrics
}

/**
 * Tokens given as hashes (`--token`, an embedded server's) stand for the default tenant's stored
 * ones, as before tenants; named tenants' tokens are always those in the database.
 */
function givenAndStored(given: TokenSource, stored: () => TokenSource): TokenSource {
  let against: ReadonlyMap<string, TokenRecord> | undefined
  let merged: ReadonlyMap<string, TokenRecord> = new Map()
  return {
    byHash() {
      const current = stored().byHash()
      if (current !== against) {
        against = current
        const map = new Map(given.byHash())
        for (const [hash, record] of current) if (record.tenant !== DEFAULT_TENANT) map.set(hash, record)
        merged = map
      }
      return merged
    },
  }
}

export function createScimServer(options: ServerOptions): ScimServer {
  const { sqlite, orm } = openDatabase(options.db, options.durability ?? 'full')
  const limits = limitsWith(options.limits)
  const tenants = new TenantRegistry({
    sqlite,
    orm,
    queue: new WriteQueue(sqlite),
    cacheSize: options.cacheSize ?? 10_000,
    refreshMs: options.tenantRefreshMs,
    defaults: {
      baseUrl: options.baseUrl?.replace(/\/+$/, ''),
      maxResults: options.maxResults ?? 1000,
      defaultCount: options.defaultCount ?? 100,
      cursorTimeout: options.cursorTimeout ?? 3600,
      rateLimit: options.rateLimit ?? 0,
      limits,
      packs: options.schemaPacks ?? [],
      schemas: (options.extraSchemas ?? []).map(({ schema, resourceType }) => ({
        schema,
        target: resourceType as 'User' | 'Group',
      })),
    },
  })
  const deps = tenants.default.deps
  const store = tenants.defaultStore
  // A fresh reader reads the table at once: how this process's own changes take effect immediately.
  let stored = storedTokens(sqlite)
  const current: TokenSource = { byHash: () => stored.byHash() }
  const tokens = options.tokenHashes ? givenAndStored(fixedTokens(options.tokenHashes), () => stored) : current
  const tenantsChanged = () => {
    stored = storedTokens(sqlite)
    tenants.refresh(true)
  }
  const databaseBytes = sqlite.query(
    'SELECT page_count * page_size AS bytes FROM pragma_page_count(), pragma_page_size()'
  )
  const metrics = new ServerMetrics({
    // One write queue and one lookup cache serve every tenant: the default store's counters are all of theirs.
    stats: () => store.stats(),
    databaseBytes: () => (databaseBytes.get() as { bytes: number }).bytes,
  })
  observeCommits(sqlite, metrics.commit)
  const app = createApp({
    tenants,
    resourceTypes: BUILTIN_RESOURCE_TYPES,
    store,
    limits,
    tokens,
    metrics,
    logger: options.logger,
  })
  return { app, store, deps, tenants, tenantsChanged, sqlite, metrics }
}
