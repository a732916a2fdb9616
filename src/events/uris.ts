// RFC 9967 §2.4 provisioning event URIs: the ones this server emits, and nothing else.

export const EVENT_CREATE = 'urn:ietf:params:scim:event:prov:create:notice'
export const EVENT_PUT = 'urn:ietf:params:scim:event:prov:put:notice'
export const EVENT_PATCH = 'urn:ietf:params:scim:event:prov:patch:notice'
export const EVENT_DELETE = 'urn:ietf:params:scim:event:prov:delete'
export const EVENT_ACTIVATE = 'urn:ietf:params:scim:event:prov:activate'
export const EVENT_DEACTIVATE = 'urn:ietf:params:scim:event:prov:deactivate'

/**
 * Every event URI a SET of this server can carry, for `securityEvents.eventUris` (RFC 9967 §4).
 * Only the `notice` variants: the journal keeps which attributes changed, not the whole resource
 * (passwords never enter it), and a notice lets the receiver GET the current state (§2.4.1).
 */
export const EMITTED_EVENT_URIS: readonly string[] = [
  EVENT_CREATE,
  EVENT_PUT,
  EVENT_PATCH,
  EVENT_DELETE,
  EVENT_ACTIVATE,
  EVENT_DEACTIVATE,
]
