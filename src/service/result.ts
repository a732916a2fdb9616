// What a service returns to the HTTP layer: a status, headers and an optional JSON body.
import type { ScimError } from '../scim/errors'
import type { ElementBudget } from '../scim/limits'

export interface ServiceResult {
  status: number
  headers?: Record<string, string>
  body?: unknown
  /** The body already serialised (views rendered straight to JSON); takes precedence over `body`. */
  json?: string
}

/** Per-request inputs the HTTP layer extracts; services never see the framework's context. */
export interface RequestInfo {
  /** Absolute API base for this request, e.g. https://host/scim/v2. */
  base: string
  attributes?: string
  excludedAttributes?: string
  ifMatch?: string
  ifNoneMatch?: string
  /** Told which IdP compatibility rules fired (src/scim/compat), for the request log. */
  compat?: (rule: string) => void
  /** The label of the token that asks, for the journal; absent (null in entries) from the command line. */
  actor?: string
  /** The request id (x-request-id), for the journal. */
  requestId?: string
  /** The compatibility rules that fired on the request so far, for the journal. */
  firedCompat?: () => readonly string[]
  /**
   * Logs an error no SCIM error describes, as the HTTP layer logs a 500, and gives the 500 to
   * answer instead: for a Bulk operation, which answers on its own while the others go on.
   */
  internalError?: (error: unknown) => ScimError
  /**
   * The elements of multi-valued attributes the request's PATCH operations may still visit: set by
   * a Bulk request, whose PATCHes share one limit; a PATCH sent alone has a budget of its own.
   */
  elementBudget?: ElementBudget
}
