// What the HTTP layer and the services see of change events (src/events/service.ts makes one).
import type { PublicJwk } from './jws'
import type { PollResponse } from './poll'
import type { SecurityEvents } from './security-events'
import type { Later } from './store'

export interface EventService {
  /**
   * One RFC 8936 poll of the tenant's events; `base` is the tenant's SCIM base URL (the SETs' `iss`),
   * `by.token` the id of the token that polls (each stored token has a position of its own),
   * `by.generation` its tenant's generation when it was let in: a long poll waits only while that
   * token still authenticates for that life of the tenant, and is then answered 401.
   */
  poll(
    tenant: string,
    base: string,
    body: unknown,
    by?: { token?: string; generation?: string; signal?: AbortSignal }
  ): Promise<PollResponse>
  /** The tenant's public signing keys as an RFC 7517 JWK Set (over PostgreSQL, a promise of it). */
  jwks(tenant: string): Later<{ keys: PublicJwk[] }>
  /** RFC 9967 §4 `securityEvents` for the tenant at `base`. */
  securityEvents(base: string): SecurityEvents
  /**
   * Events pushed receivers have not accepted yet, summed over the receivers this server delivers
   * to (for /metrics; over PostgreSQL, as counted for the scrape before).
   */
  undelivered(): number
  /** Resolves once every push receiver has sent all it can (a receiver that keeps failing holds it). */
  pushIdle(): Promise<void>
  /** Re-reads every tenant's push receivers (tenants.settings `pushUrls`). */
  reloadPushUrls(): void
  /**
   * Answers every waiting long poll now, and every later one at once: a shutdown's first step, so
   * draining in-flight requests does not wait out their 30 s. close() does it too.
   */
  endWaits(): void
  close(): Promise<void>
}
