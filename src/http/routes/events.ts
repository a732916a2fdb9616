// RFC 8936 poll endpoint (token needed) and the tenant's signing keys as a JWKS (open).
import { Elysia } from 'elysia'
import { EVENTS_PATH, JWKS_PATH } from '../../events/security-events'
import type { EventService } from '../../events/types'
import { ScimError } from '../../scim/errors'
import { unauthorized } from '../plugins/auth'
import { contextOf } from '../request-context'

const tenantOf = (request: Request) => contextOf(request)?.tenant ?? 'default'

/**
 * `POST {tenant URL}/Events`: a poll only reads the journal and moves the caller's acknowledged
 * position, so it is a read (a `read`-scope token may poll). The response is RFC 8936's JSON;
 * a long poll ends early when the client goes away (request.signal). Each stored token polls
 * its own position (src/events/streams.ts).
 */
export function eventRoutes(events: EventService | undefined, baseFor: (request: Request) => string) {
  const routes = new Elysia()
  if (!events) return routes
  return routes.post(EVENTS_PATH, async ({ request, body }) => {
    const record = contextOf(request)?.token
    const by = { token: record?.id, generation: record?.generation, signal: request.signal }
    try {
      return Response.json(await events.poll(tenantOf(request), baseFor(request), body, by))
    } catch (err) {
      // The token stopped authenticating while the poll waited: the answer a fresh request gets.
      if (err instanceof ScimError && err.status === 401) return unauthorized(err)
      throw err
    }
  })
}

/**
 * `GET {tenant URL}/Events/jwks.json`: the public keys the tenant's SETs verify with (RFC 7517
 * §5), served without a token: the app serves its open controller's routes, this among them,
 * without one, so the token check has one rule only.
 */
export function eventKeyRoutes(events: EventService | undefined, prefix: string, known: (tenant: string) => boolean) {
  const routes = new Elysia()
  if (!events) return routes
  return routes.get(`${prefix}${JWKS_PATH}`, async ({ request }) => {
    // Open to anyone: an unknown tenant gets a 404 and no key is made for it.
    const tenant = tenantOf(request)
    if (!known(tenant)) throw ScimError.notFound(`no tenant is called ${tenant}`)
    return new Response(JSON.stringify(await events.jwks(tenant)), {
      headers: { 'content-type': 'application/jwk-set+json', 'cache-control': 'max-age=300' },
    })
  })
}
