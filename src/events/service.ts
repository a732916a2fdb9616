// Assembles change events over a JournalReader: keys, acknowledged positions, poll and push.
import type { Database } from 'bun:sqlite'
import type { JournalReader } from '../journal/types'
import { EventKeys } from './key-store'
import { signCompact } from './jws'
import { pollEvents, type PollDeps } from './poll'
import { parsePollRequest } from './poll-request'
import { PushManager } from './push-manager'
import type { PushOptions } from './push'
import { storedPushUrls } from './push-urls'
import { EVENTS_PATH, securityEvents } from './security-events'
import type { Feed } from './set'
import { SignedSets } from './signed-sets'
import { dropEndedStreamsLater, StreamPositions } from './streams'
import type { EventService } from './types'

export interface EventsOptions {
  db: Database
  journal: JournalReader
  /** The endpoint of a resource type (`/Users`), for `sub_id.uri`. */
  endpointOf(resourceType: string): string
  /** A tenant's public SCIM base URL, for pushed SETs; undefined: not known, nothing is pushed. */
  publicBase(tenant: string): string | undefined
  now: () => Date
  /** The most SETs one poll response carries (default 1000). */
  maxEvents?: number
  /** How long a long poll waits for a change (default 30 s, well under proxies' idle timeouts). */
  longPollMs?: number
  push?: PushOptions
  /**
   * How often push receivers are re-read from the tenants table, and expired tokens' streams
   * dropped (default 5 s); 0: never by itself.
   */
  reloadEveryMs?: number
  /**
   * Runs a job of position writes in a transaction and resolves once it is durable: the server's
   * write queue, so they share its group commits. Default: a transaction of their own.
   */
  write?: <T>(fn: () => T) => Promise<T>
}

/**
 * The events of every tenant over one database and journal. Nothing here runs on the write path:
 * SETs are built from the journal when a receiver asks or a push receiver is woken by onAppend.
 */
export function createEvents(options: EventsOptions): EventService {
  const { db, journal, endpointOf } = options
  const keys = new EventKeys(db, options.now)
  const positions = new StreamPositions(db, options.write)
  const feedAt = (base: string): Feed => ({ issuer: base, audience: `${base}${EVENTS_PATH}`, endpointOf })
  // One signed SET per entry and feed, whoever takes it first: the poller and the push receivers share it.
  const signed = new SignedSets((tenant, claims) => signCompact(claims, keys.signingKey(tenant)))
  const pollDeps: PollDeps = {
    reader: journal,
    positions,
    setOf: (entry, feed) => signed.of(entry, feed),
    maxEvents: options.maxEvents ?? 1000,
    longPollMs: options.longPollMs ?? 30_000,
  }
  const push = new PushManager(
    {
      ...pollDeps,
      feedOf: (tenant) => {
        const base = options.publicBase(tenant)
        return base === undefined ? undefined : feedAt(base)
      },
    },
    options.push
  )
  // Ends waiting long polls at close, so a shutdown does not wait for their timeout.
  const closing = new AbortController()
  const reloadPushUrls = () => push.configure(storedPushUrls(db))
  reloadPushUrls()
  const every = options.reloadEveryMs ?? 5000
  const reloadQuietly = () => {
    try {
      reloadPushUrls()
      // A token that expired can never poll again: its stream goes as a revoked one's does.
      dropEndedStreamsLater(db, options.now(), (fn) => positions.atomically(fn))?.catch(() => {})
    } catch {
      // The database was busy or is closing: the receivers stay as they were until the next reload.
    }
  }
  const timer = every > 0 ? setInterval(reloadQuietly, every) : undefined
  timer?.unref?.()
  return {
    poll: (tenant, base, body, by = {}) => {
      const until = by.signal ? AbortSignal.any([by.signal, closing.signal]) : closing.signal
      const request = parsePollRequest(body)
      const stream = positions.pollStream(tenant, by.token)
      return pollEvents(pollDeps, tenant, stream, feedAt(base), request, until)
    },
    jwks: (tenant) => keys.jwks(tenant),
    securityEvents,
    undelivered: () => push.undelivered(),
    pushIdle: () => push.whenIdle(),
    reloadPushUrls,
    endWaits: () => closing.abort(),
    async close() {
      closing.abort()
      if (timer) clearInterval(timer)
      await push.close()
    },
  }
}
