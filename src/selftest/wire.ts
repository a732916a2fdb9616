// What a SCIM client puts on the wire: URNs, PATCH envelopes, filter query strings.
// Spelled out apart from src/scim, so a replay checks the server against the RFC text rather
// than against the server's own constants.

export const URN_USER = 'urn:ietf:params:scim:schemas:core:2.0:User'
export const URN_GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group'
export const URN_ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'
export const URN_PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp'
export const URN_LIST_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:ListResponse'
export const URN_ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error'
/** Legacy group schema URI Entra still puts on every group create (entra-wire §1.11). */
export const URN_LEGACY_MS_GROUP = 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group'
export const MANAGER_PATH = `${URN_ENTERPRISE}:manager`

export type ScimObject = Record<string, unknown>

export interface PatchOperation {
  op: string
  path?: string
  value?: unknown
}

export interface PatchBody {
  schemas: string[]
  Operations: PatchOperation[]
}

/** RFC 7644 §3.5.2 PatchOp envelope. */
export function patchBody(ops: PatchOperation[]): PatchBody {
  return { schemas: [URN_PATCH_OP], Operations: ops }
}

/**
 * An `eq` filter query string as Entra encodes it (entra-wire §0): spaces as `+`, quotes as `%22`.
 * @example filterQuery('userName', 'a@b') // 'filter=userName+eq+%22a%40b%22'
 */
export function filterQuery(path: string, value: string): string {
  return `filter=${encodeURIComponent(`${path} eq "${value}"`).replace(/%20/g, '+')}`
}

/** The same filter as Okta encodes it: spaces as `%20` (Okta SCIM 2.0 guide, "Create users"). */
export function oktaFilterQuery(path: string, value: string): string {
  return `filter=${encodeURIComponent(`${path} eq "${value}"`)}`
}
