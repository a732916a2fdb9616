// The app's one onRequest hook: the front door, the token check, the address check and the rate limit, in that order.
import { Elysia } from 'elysia'
import type { Answer } from '../front-door'
import { contextOf, type RequestContext } from '../request-context'

export interface ArrivalSteps {
  /** front-door.ts frontDoor: a bad target's answer, or the re-issued request's. */
  frontDoor(request: Request, ctx: RequestContext | undefined): Answer
  /** plugins/auth.ts auth: 401/403 unless the router's path is open or the token may. */
  auth(request: Request, routed: string | undefined, ctx: RequestContext | undefined): Response | undefined
  /** plugins/allow-from.ts allowFrom: 403 for a token used from outside its tenant's --allow-from. */
  allowFrom(request: Request, ctx: RequestContext | undefined): Response | undefined
  /** plugins/rate-limit.ts rateLimit: 429 once the token's bucket is empty. */
  rateLimit(request: Request, ctx: RequestContext | undefined): Response | undefined
}

/**
 * One hook instead of one per step: Elysia awaits each onRequest hook and maps what it returned,
 * and every step looked the request's context up again. The steps stay apart and run in the
 * order they did as hooks; the first answer ends the request before routing and body parsing.
 */
export function arrival({ frontDoor, auth, allowFrom, rateLimit }: ArrivalSteps) {
  return new Elysia({ name: 'scim.arrival' }).onRequest((context) => {
    // Elysia's context carries the router's path: the one auth checks (undefined fails closed).
    const { request, path } = context as typeof context & { path?: string }
    const ctx = contextOf(request)
    return frontDoor(request, ctx) ?? auth(request, path, ctx) ?? allowFrom(request, ctx) ?? rateLimit(request, ctx)
  })
}
