// Assembles change events over an EventStore (SQLite's here, PostgreSQL's in store-pg/events-store.ts): keys, positions, poll and push.
import type { Database } from 'bun:sqlite'
import type { JournalReader } from '../journal/types'
import { run } from '../service/effect'
import { EventKeys } from './key-store'
import { pollEvents, type PollDeps, whileCredentialsHold } from './poll'
import { parsePollRequest } from './poll-request'
import { PushManager } from './push-manager'
import type { PushOptions } from './push'
import { storedPushUrls } from './push-urls'
import { EVENTS_PATH, securityEvents } from './security-events'
import type { Feed } from './set'
import { SignedSets } from './signed-sets'
import type { EventStore } from './event-store'
import { dropEndedStreamsLater, StreamPositions } from './streams'
import type { EventService } from './types'

/**
 * A create of a large document (up to the 1 MiB document limit) is an entry of about that size,
 * whose SET names each of its attributes: four polls of 500 such entries held 3.5 GB. 4 MiB is
 * thousands of ordinary entries (a few hundred bytes each), so only large ones meet it.
 */
export const DEFAULT_EVENT_BYTES = 4 * 1024 * 1024

/** How change events are served, whatever the store. */
export interface EventServiceOptions {
  /** The endpoint of a resource type (`/Users`), for `sub_id.uri`. */
  endpointOf(resourceType: string): string
  /** A tenant's public SCIM base URL, for pushed SETs; undefined: not known, nothing is pushed. */
  publicBase(tenant: string): string | undefined
  now: () => Date
  /** The most SETs one poll response carries (default 1000). */
  maxEvents?: number
  /**
   * The most stored entry text (UTF-8 bytes of its changes) one poll response or push wave is read
   * from and carries (default 4 MiB); a single larger entry still goes out alone.
   */
  maxEventBytes?: number
  /** How long a long poll waits for a change (default 30 s, well under proxies' idle timeouts). */
  longPollMs?: number
  /**
   * How often a waiting long poll checks that its token still authenticates (default 1 s, the
   * time a revocation takes to reach new requests).
   */
  credentialCheckMs?: number
  push?: PushOptions
  /**
   * How often push receivers are re-read from the tenants table, and expired tokens' streams
   * dropped (default 5 s); 0: never by itself.
   */
  reloadEveryMs?: number
}

export interface EventsOptions extends EventServiceOptions {
  db: Database
  journal: JournalReader
  /**
   * Runs a job of position writes in a transaction and resolves once it is durable: the server's
   * write queue, so they share its group commits. Default: a transaction of their own.
   */
  write?: <T>(fn: () => T) => Promise<T>
}

/** Change events over one SQLite database: every read answers at once, position writes go through `write`. */
export function sqliteEventStore(
  db: Database,
  journal: JournalReader,
  now: () => Date,
  write?: <T>(fn: () => T) => Promise<T>
): EventStore {
  const positions = new StreamPositions(db, write)
  return {
    journal,
    positions,
    keys: new EventKeys(db, now),
    pushUrls: () => storedPushUrls(db),
    dropEndedStreams: (at) => dropEndedStreamsLater(db, at, (fn) => positions.atomically(fn)),
  }
}

/** The events of every tenant of one SQLite database and journal (createEventService over sqliteEventStore). */
export function createEvents(options: EventsOptions): EventService {
  return createEventService(sqliteEventStore(options.db, options.journal, options.now, options.write), options)
}

/**
 * The events of every tenant over one store. Nothing here runs on the write path: SETs are built
 * from the journal when a receiver asks or a push receiver is woken by onAppend (on PostgreSQL,
 * by any replica's append).
 */
export function createEventService(store: EventStore, options: EventServiceOptions): EventService {
  const { journal, positions, keys } = store
  const { endpointOf } = options
  const feedAt = (base: string): Feed => ({ issuer: base, audience: `${base}${EVENTS_PATH}`, endpointOf })
  // One signed SET per entry, feed and key, whoever takes it first: the poller and the push receivers share it.
  const signed = new SignedSets()
  // The tenant's key is read once per batch, not kept for good: a tenant removed and added again
  // (its key gone with its rows, a new one made) signs its next batch with the key its JWKS publishes.
  const setsOf: PollDeps['setsOf'] = (tenant, entries, feed) => {
    if (entries.length === 0) return []
    const key = keys.signingKey(tenant)
    return key instanceof Promise ? key.then((k) => signed.allOf(entries, feed, k)) : signed.allOf(entries, feed, key)
  }
  const pollDeps: PollDeps = {
    reader: journal,
    positions,
    setsOf,
    maxEvents: options.maxEvents ?? 1000,
    maxBytes: options.maxEventBytes ?? DEFAULT_EVENT_BYTES,
    longPollMs: options.longPollMs ?? 30_000,
    credentialCheckMs: options.credentialCheckMs ?? 1000,
  }
  const push = new PushManager(
    {
      ...pollDeps,
      feedOf: (tenant) => {
        const base = options.publicBase(tenant)
        return base === undefined ? undefined : feedAt(base)
      },
      turns: store.turns,
    },
    options.push
  )
  // Ends waiting long polls at close, so a shutdown does not wait for their timeout.
  const closing = new AbortController()
  const reloadPushUrls = () => push.configure(store.pushUrls())
  reloadPushUrls()
  const every = options.reloadEveryMs ?? 5000
  const reloadQuietly = () => {
    try {
      reloadPushUrls()
      // A token that expired can never poll again: its stream goes as a revoked one's does.
      store.dropEndedStreams(options.now())?.catch(() => {})
    } catch {
      // The database was busy or is closing: the receivers stay as they were until the next reload.
    }
  }
  const timer = every > 0 ? setInterval(reloadQuietly, every) : undefined
  timer?.unref?.()
  // Over a store that answers later, /metrics gets the count of the scrape before (each scrape counts again).
  let undelivered = 0
  return {
    poll: async (tenant, base, body, by = {}) => {
      const until = by.signal ? AbortSignal.any([by.signal, closing.signal]) : closing.signal
      const request = parsePollRequest(body)
      const { token, generation } = by
      const credentials =
        token !== undefined && generation !== undefined
          ? () => positions.tokenHolds(tenant, token, generation, options.now())
          : undefined
      return whileCredentialsHold(credentials, async () => {
        const stream = await positions.pollStream(tenant, token)
        return pollEvents(pollDeps, tenant, stream, feedAt(base), request, until, credentials)
      })
    },
    jwks: (tenant) => keys.jwks(tenant),
    securityEvents,
    undelivered: () => {
      const counted = run(push.undelivered())
      if (!(counted instanceof Promise)) return counted
      counted.then((n) => (undelivered = n)).catch(() => {})
      return undelivered
    },
    pushIdle: () => push.whenIdle(),
    reloadPushUrls,
    endWaits: () => closing.abort(),
    async close() {
      closing.abort()
      if (timer) clearInterval(timer)
      await push.close()
      await store.close?.()
    },
  }
}
