// Assembles database, store, registry and HTTP app from settled options; main.ts and tests call it.
import { randomUUID } from 'node:crypto'
import { createAdminStore } from './console/admin-store'
import { createApp } from './http/app'
import { ServerMetrics } from './metrics/registry'
import { buildRegistry } from './scim/schema/builtin'
import { limitsWith } from './scim/limits'
import { loadPack } from './scim/schema/pack'
import type { ResourceStore, ServiceDeps } from './service/context'
import { openDatabase } from './store/db'
import { fixedTokens, storedTokens } from './auth/token-registry'
import { LastUsed, usageWriter } from './auth/last-used'
import { createResourceStore } from './store/resource-store'
import { createEvents } from './events/service'
import { observeCommits } from './store/write-queue'
import type { ServerOptions } from './server-options'
import { journalOf } from './journal/journal'
import type { JournalReader } from './journal/types'

export type { ServerOptions }

export interface ScimServer {
  app: ReturnType<typeof createApp>
  store: ResourceStore
  deps: ServiceDeps
  sqlite: ReturnType<typeof openDatabase>['sqlite']
  metrics: ServerMetrics
  /** The provisioning journal of every tenant of this database (change events and the console read it). */
  journal: JournalReader
}

export function createScimServer(options: ServerOptions): ScimServer {
  const { sqlite, orm } = openDatabase(options.db, options.durability ?? 'full')
  const limits = limitsWith(options.limits)
  const stored = createResourceStore(orm, sqlite, {
    cacheSize: options.cacheSize,
    limits,
    journaling: options.journaling,
  })
  // Tokens' last uses are written through the store's write queue, and before it closes.
  const lastUsed = new LastUsed(usageWriter(sqlite, (fn) => stored.write(fn)))
  const store: ResourceStore = {
    ...stored,
    close() {
      void lastUsed.close()
      stored.close()
    },
  }
  const registry = buildRegistry({ packs: (options.schemaPacks ?? []).map(loadPack), extensions: options.extraSchemas })
  const deps: ServiceDeps = {
    store,
    registry,
    settings: {
      baseUrl: options.baseUrl?.replace(/\/+$/, ''),
      maxResults: options.maxResults ?? 1000,
      defaultCount: options.defaultCount ?? 100,
      cursorTimeout: options.cursorTimeout ?? 3600,
      limits,
    },
    now: () => new Date(),
    newId: randomUUID,
  }
  // Change events are the journal's entries: on whenever the journal is (a test may hand in its own reader).
  const journal = options.journal ?? (options.journaling === false ? undefined : journalOf(sqlite).reader)
  if (journal) {
    deps.events = createEvents({
      db: sqlite,
      journal,
      endpointOf: (name) => registry.resourceType(name)?.endpoint ?? `/${name}`,
      // Pushed SETs name the tenant by its public URL, which only --base-url gives ahead of requests.
      publicBase: (tenant) => (tenant === 'default' ? deps.settings.baseUrl : undefined),
      now: deps.now,
      ...options.events,
    })
  }
  const tokens = options.tokenHashes ? fixedTokens(options.tokenHashes) : storedTokens(sqlite, 1000, lastUsed)
  const databaseBytes = sqlite.query(
    'SELECT page_count * page_size AS bytes FROM pragma_page_count(), pragma_page_size()'
  )
  const metrics = new ServerMetrics({
    stats: () => store.stats(),
    databaseBytes: () => (databaseBytes.get() as { bytes: number }).bytes,
  })
  observeCommits(sqlite, metrics.commit)
  const app = createApp({
    deps,
    tokens,
    metrics,
    logger: options.logger,
    rateLimit: options.rateLimit,
    console: { admins: createAdminStore(sqlite), db: sqlite },
  })
  return { app, store, deps, sqlite, metrics, journal: journalOf(sqlite).reader }
}
