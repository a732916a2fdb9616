// The server's Prometheus metrics (prom-client): HTTP, write queue, lookup cache, database, process.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client'
import { RequestTally } from './request-tally'

/** What the metrics read at scrape time from the storage side (no store import here). */
export interface MetricSources {
  stats(): { lookupHits: number; lookupMisses: number; writeBatches: number; writeJobs: number }
  /** page_count × page_size of the database file, in bytes. */
  databaseBytes(): number
  /** Journal entries kept, per tenant (pruned ones are gone). */
  journalEntries?(): readonly { tenant: string; entries: number }[]
  /** Change events that push receivers have not accepted yet. */
  eventsUndelivered?(): number
  /** The parsed-filter cache every tenant shares. */
  filterCache?(): { hits: number; misses: number; bytes: number }
}

/** What the admin console's live streams report (console/live-streams.ts), one per app that serves the console. */
export interface LiveStreamSource {
  readonly open: number
  readonly skips: number
  queuedBytes(): number
}

/** Request latency buckets, in seconds: a cached read is ~0.1 ms, a synced write several ms. */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]
const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256]
const COMMIT_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1]

/** A counter whose value is a running total kept elsewhere, set from it at each scrape. */
function mirroredCounter(registry: Registry, name: string, help: string, read: () => number) {
  return new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      this.reset()
      this.inc(read())
    },
  })
}

/**
 * Process metrics (CPU, memory, event-loop lag, …) belong to the process, not to one server:
 * one registry for them, made on first use, so embedding many servers (test suites) starts one
 * set of collectors and none unless someone scrapes.
 */
let processRegistry: Registry | undefined
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry()
    collectDefaultMetrics({ register: processRegistry })
  }
  return processRegistry
}

export class ServerMetrics {
  private readonly registry = new Registry()
  private readonly liveStreams: LiveStreamSource[] = []
  private certificate: (() => Date | undefined) | undefined
  private readonly rateLimited = new Counter({
    name: 'scim_rate_limited_total',
    help: 'Requests refused with 429 by the per-token rate limit.',
    registers: [this.registry],
  })
  private readonly batchSize = new Histogram({
    name: 'scim_write_batch_size',
    help: 'Write requests committed together in one transaction (group commit).',
    buckets: BATCH_BUCKETS,
    registers: [this.registry],
  })
  private readonly commitSeconds = new Histogram({
    name: 'scim_write_commit_duration_seconds',
    help: 'Time of one write transaction, BEGIN to durable COMMIT.',
    buckets: COMMIT_BUCKETS,
    registers: [this.registry],
  })
  private readonly requests = new RequestTally(this.registry, LATENCY_BUCKETS, {
    requests: 'scim_http_requests_total',
    requestsHelp: 'HTTP requests answered, by tenant, route pattern, method and status.',
    latency: 'scim_http_request_duration_seconds',
    latencyHelp: 'Time from arrival to response, by tenant, route pattern and method.',
  })

  constructor(sources: MetricSources) {
    const r = this.registry
    mirroredCounter(
      r,
      'scim_lookup_cache_hits_total',
      'userName/externalId/displayName eq lookups answered from the LRU cache.',
      () => sources.stats().lookupHits
    )
    mirroredCounter(
      r,
      'scim_lookup_cache_misses_total',
      'eq lookups that went to SQLite.',
      () => sources.stats().lookupMisses
    )
    mirroredCounter(
      r,
      'scim_write_batches_total',
      'Transactions committed (each with one sync).',
      () => sources.stats().writeBatches
    )
    mirroredCounter(
      r,
      'scim_write_jobs_total',
      'Write requests committed through those transactions.',
      () => sources.stats().writeJobs
    )
    new Gauge({
      name: 'scim_database_bytes',
      help: 'Size of the database (page_count × page_size), read at scrape time.',
      registers: [r],
      collect() {
        this.set(sources.databaseBytes())
      },
    })
    const { filterCache } = sources
    if (filterCache) {
      mirroredCounter(
        r,
        'scim_filter_cache_hits_total',
        'Compound filters answered parsed from the cache.',
        () => filterCache().hits
      )
      mirroredCounter(
        r,
        'scim_filter_cache_misses_total',
        'Compound filters parsed and resolved.',
        () => filterCache().misses
      )
      new Gauge({
        name: 'scim_filter_cache_bytes',
        help: 'Estimated bytes of the parsed filters cached, all tenants together.',
        registers: [r],
        collect() {
          this.set(filterCache().bytes)
        },
      })
    }
    // Summed over every app over these metrics: the server builds one, a test suite may build more.
    const live = (read: (s: LiveStreamSource) => number) => this.liveStreams.reduce((n, s) => n + read(s), 0)
    new Gauge({
      name: 'scim_console_live_streams',
      help: 'Open live streams of the admin console (server-sent events to signed-in browsers).',
      registers: [r],
      collect() {
        this.set(live((s) => s.open))
      },
    })
    new Gauge({
      name: 'scim_console_live_queued_bytes',
      help: 'Bytes the console live streams hold for browsers that have not read them yet, all streams together.',
      registers: [r],
      collect() {
        this.set(live((s) => s.queuedBytes()))
      },
    })
    mirroredCounter(
      r,
      'scim_console_live_skips_total',
      'Times a console live stream fell a whole queue behind its browser and sent a skipped event instead of entries.',
      () => live((s) => s.skips)
    )
    const { journalEntries, eventsUndelivered } = sources
    if (journalEntries)
      new Gauge({
        name: 'scim_journal_entries',
        help: 'Provisioning journal entries kept, by tenant, read at scrape time.',
        labelNames: ['tenant'] as const,
        registers: [r],
        collect() {
          this.reset()
          for (const { tenant, entries } of journalEntries()) this.set({ tenant }, entries)
        },
      })
    if (eventsUndelivered)
      new Gauge({
        name: 'scim_events_undelivered',
        help: 'Change events (RFC 8935 push) that receivers have not accepted yet, over all tenants.',
        registers: [r],
        collect() {
          this.set(eventsUndelivered())
        },
      })
  }

  /**
   * The HTTPS listener's certificate: its end of validity is a gauge from the next scrape, for an
   * alert well before it, and what the console's dashboard shows. Watching again replaces the source.
   */
  watchCertificate(notAfter: () => Date | undefined): void {
    const first = this.certificate === undefined
    this.certificate = notAfter
    if (!first) return
    const end = () => this.certificateEnd()
    new Gauge({
      name: 'scim_tls_certificate_expiry_timestamp_seconds',
      help: 'When the certificate served to new HTTPS connections stops being valid (Unix time; SIGHUP reads a renewed one).',
      registers: [this.registry],
      collect() {
        const at = end()
        if (at) this.set(at.getTime() / 1000)
        else this.reset()
      },
    })
  }

  /** The end of the certificate new HTTPS connections get; undefined without HTTPS. */
  certificateEnd(): Date | undefined {
    return this.certificate?.()
  }

  /** The console of an app over these metrics: its live streams are counted in from the next scrape. */
  watchLiveStreams(source: LiveStreamSource): void {
    this.liveStreams.push(source)
  }

  /** One answered request; `route` is the router's pattern, or a fixed word when none matched. */
  request(tenant: string, route: string, method: string, status: number, seconds: number): void {
    this.requests.record(tenant, route, method, status, seconds)
  }

  refused(): void {
    this.rateLimited.inc()
  }

  /** One committed write batch (the write queue's hook). */
  commit = (jobs: number, seconds: number): void => {
    this.batchSize.observe(jobs)
    this.commitSeconds.observe(seconds)
  }

  readonly contentType = this.registry.contentType

  /** The Prometheus text exposition of this server's metrics and the process's. */
  async text(): Promise<string> {
    return `${await this.registry.metrics()}\n${await processMetrics().metrics()}`
  }
}
