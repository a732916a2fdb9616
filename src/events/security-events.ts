// The `securityEvents` part of /ServiceProviderConfig (RFC 9967 §4) and the events paths.
import { EMITTED_EVENT_URIS } from './uris'

/** Below the tenant's SCIM base: the RFC 8936 poll endpoint (POST) and the signing keys (GET). */
export const EVENTS_PATH = '/Events'
export const JWKS_PATH = '/Events/jwks.json'

export interface SecurityEvents {
  /** RFC 9967 §4: this server completes every request synchronously. */
  asyncRequest: 'none'
  /** RFC 9967 §4: exactly the event URIs this server's SETs carry. */
  eventUris: string[]
  /** Ours (RFC 9967 leaves stream configuration out of scope): the tenant's poll endpoint, absolute. */
  pollEndpoint: string
}

export function securityEvents(tenantBase: string): SecurityEvents {
  return { asyncRequest: 'none', eventUris: [...EMITTED_EVENT_URIS], pollEndpoint: `${tenantBase}${EVENTS_PATH}` }
}
