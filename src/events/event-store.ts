// Everything change events keep in a database, per store: SQLite's (events/service.ts) or PostgreSQL's (store-pg/events-store.ts).
import type { JournalFeed } from '../journal/types'
import type { PublicJwk, SigningKey } from './jws'
import type { Later, PushTurns, StreamStore } from './store'

/** Each tenant's signing key (event_keys): key-store.ts on SQLite, store-pg/events-keys.ts. */
export interface KeyStore {
  /**
   * The key the tenant's SETs are signed with: its newest stored one, read again on each call (a
   * tenant removed and added again has a new one), made on first use (one per tenant, however many servers).
   */
  signingKey(tenant: string): Later<SigningKey>
  /** The tenant's public keys as an RFC 7517 JWK Set. */
  jwks(tenant: string): Later<{ keys: PublicJwk[] }>
}

/** Everything change events keep in a database, over one store. */
export interface EventStore {
  journal: JournalFeed
  positions: StreamStore
  keys: KeyStore
  /** Every tenant's push receivers (tenants.settings `pushUrls`), as stored. */
  pushUrls(): ReadonlyMap<string, readonly string[]>
  /** Drops the poll streams of tokens revoked or expired at `now`; undefined when there were none. */
  dropEndedStreams(now: Date): Promise<unknown> | undefined
  /** Absent: this server delivers to every receiver. */
  turns?: PushTurns
  close?(): Promise<void>
}
