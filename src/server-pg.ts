// Assembles the server over PostgreSQL (`--db postgres://…`): migrations under a lock, tenants and tokens followed across replicas, the app.
import { SQL } from 'bun'
import { drizzle } from 'drizzle-orm/bun-sql'
import { LastUsed } from './auth/last-used'
import { fixedTokens, type TokenSource } from './auth/token-registry'
import { createEventService } from './events/service'
import type { EventService } from './events/types'
import { createApp } from './http/app'
import type { Logger } from './log/types'
import { ServerMetrics } from './metrics/registry'
import { limitsWith } from './scim/limits'
import { BUILTIN_RESOURCE_TYPES } from './scim/schema/builtin'
import type { ResourceStore, ServiceDeps } from './service/context'
import { checkServerOptions, eventAddresses, givenAndStored, type ServerOptions, tenantDefaults } from './server'
import { pgAdminStore } from './store-pg/console-admins'
import { pgConsoleData } from './store-pg/console-data'
import { PgDirectory } from './store-pg/directory'
import { pgEventStore } from './store-pg/events-store'
import { applyPgMigrations } from './store-pg/migrate'
import { MIGRATIONS } from './store-pg/migrations.gen'
import { createPgResourceStore, type PgResourceStore } from './store-pg/resource-store'
import { LookupCache } from './store/lookup-cache'
import { pgIssueFirstToken, pgUsageWriter } from './store-pg/tokens'
import { TenantRegistry } from './tenants/registry'

export { isPostgresUrl, shownPostgresUrl } from './store-pg/url'

/** How old the gauges that cost a query (database size, journal entries) may be before a scrape reads them again. */
const GAUGE_REFRESH_MS = 5000

export interface PgScimServer {
  app: ReturnType<typeof createApp>
  /** The default tenant's store; closing it ends the database connection of every tenant. */
  store: PgResourceStore
  deps: ServiceDeps
  tenants: TenantRegistry
  /** After this process changed tenants or tokens itself: read both tables now. */
  tenantsChanged(): Promise<void>
  sql: SQL
  metrics: ServerMetrics
  /** Change events (undefined when the journal is off), served by every replica alike. */
  events: EventService | undefined
  /** The default tenant's first token, issued when it has none that works (undefined: it has one). */
  issueFirstToken(): Promise<string | undefined>
  endWaits(): void
  /** Stops the background reads, writes the tokens' last uses, closes the connection. */
  close(): Promise<void>
}

export interface PgServerOptions extends ServerOptions {
  /** Told of background reads that failed (the last good snapshot keeps serving meanwhile). */
  logger?: Logger
  /** How long PostgreSQL lets a transaction of this replica sit idle before it ends it (default 10 s). */
  idleInTransactionMs?: number
}

/**
 * A write batch holds its tenant's advisory lock to COMMIT, and every replica's writes for that
 * tenant wait behind it. A replica that stops between two statements without its socket closing
 * (a frozen VM or container, a long pause, a network that drops packets) held the lock until it
 * went on, hours for a dead peer, since TCP keepalive answers for a stopped process. PostgreSQL
 * ends such a transaction after this long idle instead (its writes roll back, unacknowledged), and
 * the waiting replicas go on. Our transactions are never idle that long: their statements are
 * pipelined, and a job's own work between them takes milliseconds.
 */
export const IDLE_IN_TRANSACTION_MS = 10_000

/** The runtime parameters every connection of a replica's pool opens with. */
export function pgSessionParameters(idleInTransactionMs = IDLE_IN_TRANSACTION_MS): Record<string, number> {
  return { idle_in_transaction_session_timeout: idleInTransactionMs }
}

/**
 * The same app as createScimServer's, over PostgreSQL. Every replica of a database runs this:
 * migrations are applied at start under an advisory lock (the second replica waits, then finds
 * none pending); a cached lookup is checked on every read against the tenant's change token in the
 * database, so a write acknowledged by one replica is seen by the next read on any other; tenants and tokens
 * are read again every 250 ms in the background (store-pg/directory.ts). Change events are on
 * whenever the journal is: any replica's append wakes every replica's long polls and push
 * receivers, positions and keys are in the database, and one replica at a time pushes to each
 * receiver (store-pg/events-store.ts). The admin console is served too, its sessions in the
 * database (a sign-in on one replica is valid on all).
 */
export async function createPgScimServer(options: PgServerOptions): Promise<PgScimServer> {
  checkServerOptions(options)
  const limits = limitsWith(options.limits)
  const baseUrl = options.baseUrl?.replace(/\/+$/, '')
  const sql = new SQL(options.db, { connection: pgSessionParameters(options.idleInTransactionMs) })
  await applyPgMigrations(sql, MIGRATIONS)
  const orm = drizzle({ client: sql })
  const lastUsed = new LastUsed(pgUsageWriter(sql))
  const directory = new PgDirectory(sql, {
    usage: lastUsed,
    onError: (err) => options.logger?.error({ err: String(err) }, 'tenants and tokens could not be read again'),
  })
  await directory.start()
  const events =
    options.journaling === false
      ? undefined
      : createEventService(await pgEventStore(sql, { tenants: () => directory.tenants(), now: () => new Date() }), {
          ...eventAddresses(baseUrl),
          now: () => new Date(),
          ...options.events,
        })
  // One lookup cache for every tenant's store, under the server's byte budget (as tenants/sqlite-stores.ts).
  const lookups = new LookupCache(undefined, limits.cacheBytes)
  const tenants = new TenantRegistry({
    stores: {
      readRows: () => directory.tenants(),
      storeFor: (tenant, generation) =>
        createPgResourceStore(orm, { tenant, generation, limits, journaling: options.journaling, lookups }),
    },
    // The snapshot is in memory: the registry may look at it on every request.
    refreshMs: 0,
    defaults: tenantDefaults(options, baseUrl, limits, events),
  })
  const defaultStore = tenants.defaultStore as PgResourceStore
  await defaultStore.checkReadiness()
  const stored = directory.tokens()
  const tokens: TokenSource = options.tokenHashes
    ? givenAndStored(fixedTokens(options.tokenHashes), () => stored)
    : stored

  // Read when scraped, at most every GAUGE_REFRESH_MS (the metrics read synchronously, so a scrape
  // answers the last read and starts the next): a replica nobody scrapes counts no journal.
  const gauges = { bytes: 0, journal: [] as { tenant: string; entries: number }[], at: 0 }
  let reading: Promise<void> | undefined
  const readGauges = async () => {
    gauges.at = performance.now()
    const [size] = await sql`SELECT pg_database_size(current_database())::float8 AS bytes`
    const counts = await sql`SELECT tenant, count(*)::int AS entries FROM journal GROUP BY tenant`
    gauges.bytes = Number(size?.bytes ?? 0)
    gauges.journal = [...counts] as { tenant: string; entries: number }[]
  }
  const fresh = () => {
    if (!reading && performance.now() - gauges.at > GAUGE_REFRESH_MS)
      reading = readGauges()
        .catch(() => {})
        .finally(() => (reading = undefined))
    return gauges
  }
  await readGauges()
  const metrics = new ServerMetrics({
    stats: () => defaultStore.stats(),
    databaseBytes: () => fresh().bytes,
    journalEntries: () => fresh().journal,
    eventsUndelivered: events ? () => events.undelivered() : undefined,
    filterCache: () => tenants.filters,
  })

  let closed: Promise<void> | undefined
  const close = () =>
    (closed ??= (async () => {
      directory.stop()
      await events?.close()
      await lastUsed.close()
      await sql.close()
    })())
  // Shutdown closes the default store: that must also write the last uses before the connection goes.
  const store: PgResourceStore = { ...defaultStore, close: () => void close() }
  // Aborted by endWaits: the console's live streams end before a stop drains requests.
  const closing = new AbortController()
  const app = createApp({
    tenants,
    resourceTypes: BUILTIN_RESOURCE_TYPES,
    store: store as ResourceStore,
    limits,
    tokens,
    metrics,
    logger: options.logger,
    events,
    console: {
      admins: pgAdminStore(sql),
      data: pgConsoleData(sql, { tenantRows: () => directory.tenants() }),
      // This replica serves its own change from the next request; the others within 250 ms.
      tenantsChanged: () => directory.refresh(),
      closing: closing.signal,
    },
  })
  return {
    app,
    store,
    deps: tenants.default.deps,
    tenants,
    tenantsChanged: () => directory.refresh(),
    sql,
    metrics,
    events,
    issueFirstToken: async () => {
      const token = await pgIssueFirstToken(sql)
      if (token) await directory.refresh()
      return token
    },
    endWaits: () => {
      events?.endWaits()
      closing.abort()
    },
    close,
  }
}
