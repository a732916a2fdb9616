// GET /healthz (liveness: the process answers) and GET /readyz (the database is usable), plain text.
import { Elysia } from 'elysia'
import type { ResourceStore } from '../../service/context'

const TEXT = { 'content-type': 'text/plain; charset=utf-8' }

/**
 * Both are for load balancers and monitors, so they answer without a token (the app serves the
 * routes of this controller, and only those, without one) and are never SCIM resources. /healthz never touches the database: a slow
 * or broken disk must not get a live process restarted. /readyz asks the store, which commits a
 * small write; its answer is kept for `maxAgeMs` so probes anyone can send cost at most one
 * write a second.
 */
export function healthRoutes(store: Pick<ResourceStore, 'readinessProblem'>, maxAgeMs = 1000) {
  let checkedAt = -Infinity
  let problem: string | undefined
  return new Elysia()
    .get('/healthz', () => new Response('ok\n', { headers: TEXT }))
    .get('/readyz', () => {
      const now = performance.now()
      if (now - checkedAt >= maxAgeMs) {
        problem = store.readinessProblem()
        checkedAt = now
      }
      if (problem === undefined) return new Response('ready\n', { headers: TEXT })
      return new Response(`not ready: ${problem}\n`, { status: 503, headers: TEXT })
    })
}
