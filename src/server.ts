// Assembles database, tenants, stores, registries and HTTP app from settled options; main.ts and tests call it.
import { addressRanges } from './auth/address-ranges'
import { LastUsed, usageWriter } from './auth/last-used'
import { createAdminStore } from './console/admin-store'
import { createEvents, type EventsOptions } from './events/service'
import type { EventService } from './events/types'
import { createApp } from './http/app'
import { journalOf } from './journal/journal'
import type { JournalReader } from './journal/types'
import { ServerMetrics } from './metrics/registry'
import { type Limits, limitsWith } from './scim/limits'
import { BUILTIN_RESOURCE_TYPES } from './scim/schema/builtin'
import type { ResourceStore, ServiceDeps } from './service/context'
import { openDatabase } from './store/db'
import { fixedTokens, storedTokens, type TokenRecord, type TokenSource } from './auth/token-registry'
import { observeCommits, WriteQueue } from './store/write-queue'
import { DEFAULT_TENANT } from './tenants/name'
import { type TenantDefaults, TenantRegistry, tenantBaseUrl } from './tenants/registry'
import { sqliteTenantStores } from './tenants/sqlite-stores'
import { baseUrlProblem, durabilityProblem } from './option-rules'
import { checkSettings } from './tenants/create'
import { checkLimits } from './scim/limits'
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
  /** The provisioning journal of every tenant of this database (change events and the console read it). */
  journal: JournalReader
  /** Ends waiting long polls and the console's live streams (now and later): call before a graceful stop drains requests. */
  endWaits(): void
}

/**
 * Tokens given as hashes (`--token`, an embedded server's) stand for the default tenant's stored
 * ones, as before tenants; named tenants' tokens are always those in the database.
 */
export function givenAndStored(given: TokenSource, stored: () => TokenSource): TokenSource {
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
    // Given tokens have no row: only stored ones keep last_used.
    used: (record) => stored().used?.(record),
  }
}

/** How change events name resources and tenants in their SETs, for either store. */
export function eventAddresses(baseUrl: string | undefined): Pick<EventsOptions, 'endpointOf' | 'publicBase'> {
  return {
    endpointOf: (name) => BUILTIN_RESOURCE_TYPES.find((t) => t.name === name)?.endpoint ?? `/${name}`,
    // Pushed SETs name the tenant by its public URL, which only --base-url gives ahead of requests.
    publicBase: (tenant) => (tenant === DEFAULT_TENANT ? baseUrl : tenantBaseUrl(baseUrl, tenant)),
  }
}

/** What the server's options give every tenant (TenantRegistry's defaults), for either store. */
export function tenantDefaults(
  options: ServerOptions,
  baseUrl: string | undefined,
  limits: Limits,
  events: EventService | undefined
): TenantDefaults {
  return {
    baseUrl,
    events,
    maxResults: options.maxResults ?? 1000,
    defaultCount: options.defaultCount ?? 100,
    cursorTimeout: options.cursorTimeout ?? 3600,
    rateLimit: options.rateLimit ?? 0,
    // Refused here, at start, rather than serving nobody: addressRanges throws on a bad range.
    allowFrom: options.allowFrom && addressRanges(options.allowFrom).ranges,
    limits,
    packs: options.schemaPacks ?? [],
    schemas: (options.extraSchemas ?? []).map(({ schema, resourceType }) => ({
      schema,
      target: resourceType,
    })),
  }
}

/**
 * Refuses what the server's flags would have refused: a library caller's options are not parsed
 * from a command line. Called before either store opens its database, so nothing is left open.
 */
export function checkServerOptions(options: ServerOptions): void {
  checkSettings({ maxResults: options.maxResults, defaultCount: options.defaultCount, rateLimit: options.rateLimit })
  checkLimits(options.limits)
  // What serve's flags refuse, an embedding's options (plain JavaScript included) are refused for too.
  const baseUrl = options.baseUrl === undefined ? undefined : baseUrlProblem(options.baseUrl)
  if (baseUrl) throw new RangeError(`baseUrl ${baseUrl}`)
  const durability = options.durability === undefined ? undefined : durabilityProblem(options.durability)
  if (durability) throw new RangeError(`durability ${durability}`)
  checkExtraSchemaTargets(options.extraSchemas)
}

/** An extra schema extends Users or Groups; any other name was listed in /Schemas and attached to nothing. */
export function checkExtraSchemaTargets(extra: ServerOptions['extraSchemas']): void {
  for (const [i, { resourceType }] of (extra ?? []).entries())
    if (resourceType !== 'User' && resourceType !== 'Group')
      throw new RangeError(`extraSchemas[${i}].resourceType must be User or Group, got '${String(resourceType)}'`)
}

export function createScimServer(options: ServerOptions): ScimServer {
  checkServerOptions(options)
  const limits = limitsWith(options.limits)
  const { sqlite, orm } = openDatabase(options.db, options.durability ?? 'full', { mmapBytes: limits.dbMmapBytes })
  const baseUrl = options.baseUrl?.replace(/\/+$/, '')
  // Change events are the journal's entries: on whenever the journal is (a test may hand in its own reader).
  const journal = options.journal ?? (options.journaling === false ? undefined : journalOf(sqlite).reader)
  const queue = new WriteQueue(sqlite)
  const events = journal
    ? createEvents({
        db: sqlite,
        journal,
        ...eventAddresses(baseUrl),
        now: () => new Date(),
        // Acknowledged positions share the requests' group commits instead of syncing on their own.
        write: (fn) => queue.run(fn),
        ...options.events,
      })
    : undefined
  const tenants = new TenantRegistry({
    stores: sqliteTenantStores({
      sqlite,
      orm,
      queue,
      cacheSize: options.cacheSize,
      limits,
      journaling: options.journaling,
    }),
    refreshMs: options.tenantRefreshMs,
    defaults: tenantDefaults(options, baseUrl, limits, events),
  })
  const deps = tenants.default.deps
  const defaultStore = tenants.defaultStore
  // Tokens' last uses are written through the (shared) write queue, and before the database closes.
  const lastUsed = new LastUsed(
    usageWriter(sqlite, (fn) =>
      defaultStore.write(function* () {
        fn()
      })
    )
  )
  const store: ResourceStore = {
    ...defaultStore,
    close() {
      void lastUsed.close()
      void events?.close()
      defaultStore.close()
    },
  }
  // A fresh reader reads the table at once: how this process's own changes take effect immediately.
  let stored = storedTokens(sqlite, 1000, lastUsed)
  const current: TokenSource = { byHash: () => stored.byHash(), used: (record) => stored.used?.(record) }
  const tokens = options.tokenHashes ? givenAndStored(fixedTokens(options.tokenHashes), () => stored) : current
  const tenantsChanged = () => {
    stored = storedTokens(sqlite, 1000, lastUsed)
    tenants.refresh(true)
  }
  const databaseBytes = sqlite.query(
    'SELECT page_count * page_size AS bytes FROM pragma_page_count(), pragma_page_size()'
  )
  // Walks the (tenant, seq, at) index, not the rows: a scrape at a million entries reads it once.
  const journalCounts = sqlite.query<{ tenant: string; entries: number }, []>(
    'SELECT tenant, count(*) AS entries FROM journal GROUP BY tenant'
  )
  const metrics = new ServerMetrics({
    // One write queue and one lookup cache serve every tenant: the default store's counters are all of theirs.
    stats: () => store.stats(),
    databaseBytes: () => (databaseBytes.get() as { bytes: number }).bytes,
    journalEntries: () => journalCounts.all(),
    eventsUndelivered: events ? () => events.undelivered() : undefined,
    filterCache: () => tenants.filters,
  })
  observeCommits(sqlite, metrics.commit)
  // Aborted by endWaits: the console's live streams end, as long polls do, before a stop drains requests.
  const closing = new AbortController()
  const app = createApp({
    tenants,
    resourceTypes: BUILTIN_RESOURCE_TYPES,
    store,
    limits,
    tokens,
    metrics,
    logger: options.logger,
    events,
    console: { admins: createAdminStore(sqlite), db: sqlite, tenantsChanged, closing: closing.signal },
  })
  return {
    app,
    store,
    deps,
    tenants,
    tenantsChanged,
    sqlite,
    metrics,
    journal: journalOf(sqlite).reader,
    endWaits: () => {
      events?.endWaits()
      closing.abort()
    },
  }
}
