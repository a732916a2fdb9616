// What one request leaves behind for its log line and metrics, shared by the hooks that fill it in.
import type { TokenRecord } from '../auth/token-registry'
import type { TenantServices } from '../tenants/types'

/**
 * Filled in as the request passes through the app: the request id first, the route once the
 * router matched one. Tenant and token label are fields of their own so that per-tenant tokens
 * (later) fill them without changing the log or the metrics.
 */
export interface RequestContext {
  /** THE request id: in the x-request-id response header, every log line and a 500's detail. */
  id: string
  tenant: string
  /** The token's name, else its fingerprint (token-label.ts), set once the token passed authentication. */
  tokenLabel?: string
  /** The record of the token that passed authentication: its tenant, scope and id. */
  token?: TokenRecord
  /** The origin the client addressed (`scheme://host[:port]`, '' without a usable Host), for meta.location. */
  origin?: string
  /** The canonical path the request was served under (its route label is found from it). */
  route?: string
  /** The target's path and query as the client sent them (front-door.ts parsed them once), for the log line. */
  target?: { path: string; query: string }
  /** Counted against the token's rate limit already (a re-issued request is not counted twice). */
  counted?: boolean
  /** The addressed tenant's services, found once a request (tenant-of.ts servicesOf), not by each hook again. */
  services?: TenantServices
  /** Names of the IdP compatibility rules that fired on this request (src/scim/compat). */
  compat?: string[]
}

/**
 * The context rides on the request itself, under a symbol no other code knows: a WeakMap set and
 * the half-dozen lookups a request makes cost ~85 ns, a property ~20 ns. It goes with the request
 * object and nothing else (a re-issued request is a new object: carryContext).
 */
const CONTEXT = Symbol('scim.request-context')

type Carrier = Request & { [CONTEXT]?: RequestContext }

export function contextOf(request: Request): RequestContext | undefined {
  return (request as Carrier)[CONTEXT]
}

export function attachContext(request: Request, context: RequestContext): void {
  ;(request as Carrier)[CONTEXT] = context
}

/** A request the app re-issues to itself (front door, respelled endpoint) keeps the original's context. */
export function carryContext(from: Request, to: Request): void {
  const context = (from as Carrier)[CONTEXT]
  if (context) (to as Carrier)[CONTEXT] = context
}
