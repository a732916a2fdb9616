// createApp(deps): the Elysia application, without listen(), so tests drive it through app.handle().
import { Elysia } from 'elysia'
import type { TokenSource } from '../auth/token-registry'
import { type ConsoleOptions, consoleRoutes } from '../console/routes'
import type { ServiceDeps } from '../service/context'
import { FilterCache } from '../service/filter-cache'
import { frontDoor, parseTarget } from './front-door'
import { auth } from './plugins/auth'
import type { Logger } from '../log/types'
import type { ServerMetrics } from '../metrics/registry'
import { scimErrors } from './plugins/errors'
import { rateLimit } from './plugins/rate-limit'
import { observeRequests } from './plugins/request-log'
import { routeFallback } from './route-fallback'
import { scimJson } from './plugins/scim-json'
import { carryContext, contextOf } from './request-context'
import { baseOf } from './request-info'
import { discoveryRoutes } from './routes/discovery'
import { eventKeyRoutes, eventRoutes } from './routes/events'
import { healthRoutes } from './routes/health'
import { metricsRoutes } from './routes/metrics'
import { resourceRoutes } from './routes/resources'

/** Where the SCIM API lives; the Tenant URL an admin pastes into Entra ends with it. */
export const API_PREFIX = '/scim/v2'

export interface AppOptions {
  deps: ServiceDeps
  /** The accepted tokens, asked per request so an issue or a revocation takes effect without a restart. */
  tokens: TokenSource
  metrics: ServerMetrics
  /** Request lines and internal errors; none without one (an embedded server stays silent). */
  logger?: Logger
  /** Requests per second per token (plugins/rate-limit.ts); 0 or absent: no limit. */
  rateLimit?: number
  /** The admin console at /admin (src/console); its pages read the default tenant through `deps`. */
  console?: Omit<ConsoleOptions, 'depsFor' | 'apiBase'>
}

export function createApp({ deps, tokens, metrics, logger, rateLimit: rate = 0, console: admin }: AppOptions) {
  const filters = new FilterCache()
  const baseFor = (request: Request) => baseOf(request, deps.settings.baseUrl, API_PREFIX)
  const api = new Elysia({ prefix: API_PREFIX }).use(discoveryRoutes(deps, filters, baseFor))
  for (const type of deps.registry.resourceTypes) api.use(resourceRoutes(deps, filters, type, baseFor))
  api.use(eventRoutes(deps.events, baseFor))
  // Served without a token: exactly the paths of these controllers, and nothing else. The console
  // checks its own session instead, so no SCIM token opens it and no console cookie opens the API.
  const open = new Elysia().use(healthRoutes(deps.store)).use(eventKeyRoutes(deps.events, API_PREFIX))
  const consoleApp = admin
    ? consoleRoutes({
        ...admin,
        depsFor: (tenant) => (tenant === 'default' ? deps : undefined),
        apiBase: (_tenant, request) => baseFor(request),
      })
    : new Elysia()
  const openPaths = new Set([...open.routes, ...consoleApp.routes].map((route) => route.path))
  // Requests the app re-issues to itself (a canonical URL, a respelled endpoint) start over at `root`.
  const self: { root?: { handle(request: Request): Promise<Response>; routes: { method: string; path: string }[] } } =
    {}
  // They keep the original's context and skip observeRequests: one request, one log line.
  let inner: (request: Request) => Promise<Response>
  const reissue = (request: Request, from: Request) => {
    carryContext(from, request)
    // The request is served under the re-issued path: that is what its route label is found from.
    const ctx = contextOf(request)
    if (ctx) ctx.route = parseTarget(request.url).path
    return inner(request)
  }
  const root = new Elysia()
    .use(frontDoor(reissue))
    .use(auth(tokens, openPaths))
    .use(rateLimit({ rate, refused: () => metrics.refused() }))
    .use(routeFallback(() => self.root!.routes, reissue))
    .use(scimErrors(logger))
    // Before scimJson: its global parser refuses the console's urlencoded forms, and a hook
    // applies only to the routes registered after it.
    .use(consoleApp)
    .use(scimJson(deps.settings.limits))
    .use(open)
    .use(metricsRoutes(metrics))
    .use(api)
  self.root = root
  inner = root.handle
  // Elysia's `handle` is an own property; wrapped here so every caller (Bun.serve, tests) is observed.
  root.handle = observeRequests(inner, metrics, logger, () => root.routes)
  return root
}
