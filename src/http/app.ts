// createApp(options): the Elysia application for every tenant, without listen(), so tests drive it through app.handle().
import { Elysia } from 'elysia'
import type { TokenSource } from '../auth/token-registry'
import { LiveStreams } from '../console/live-streams'
import { type ConsoleOptions, consoleRoutes } from '../console/routes'
import type { EventService } from '../events/types'
import type { Limits } from '../scim/limits'
import type { ResourceStore } from '../service/context'
import { API_PREFIX, TENANT_API_ROUTE, TENANTS_PREFIX, tenantPrefix } from '../tenants/name'
import type { TenantSource } from '../tenants/types'
import { apiPathOf, frontDoor, parseTarget } from './front-door'
import { arrival } from './plugins/arrival'
import { auth } from './plugins/auth'
import type { Logger } from '../log/types'
import type { ServerMetrics } from '../metrics/registry'
import { scimErrors } from './plugins/errors'
import { rateLimit } from './plugins/rate-limit'
import { observeRequests } from './plugins/request-log'
import { allowFrom } from './plugins/allow-from'
import { carryClientAddress } from './client-address'
import { routeFallback } from './route-fallback'
import { scimJson } from './plugins/scim-json'
import { carryContext, contextOf } from './request-context'
import { baseOf } from './request-info'
import { discoveryRoutes } from './routes/discovery'
import { eventKeyRoutes, eventRoutes } from './routes/events'
import { healthRoutes } from './routes/health'
import { metricsRoutes } from './routes/metrics'
import { resourceRoutes } from './routes/resources'
import { servedBy, servicesOf } from './tenant-of'

export { API_PREFIX }

export interface AppOptions {
  /** Every tenant's services, found per request by the tenant the front door read from the path. */
  tenants: TenantSource
  /** The resource types every tenant serves (User, Group): routed once, each tenant's own schemas per request. */
  resourceTypes: readonly { name: string; endpoint: string }[]
  /** The database's readiness, for /readyz. */
  store: Pick<ResourceStore, 'readinessProblem'>
  limits: Limits
  /** The accepted tokens, asked per request so an issue or a revocation takes effect without a restart. */
  tokens: TokenSource
  metrics: ServerMetrics
  /** Request lines and internal errors; none without one (an embedded server stays silent). */
  logger?: Logger
  /** Change events of every tenant (src/events): the poll endpoint and each tenant's JWKS. */
  events?: EventService
  /** The admin console at /admin (src/console); its pages read each tenant through `tenants`. */
  console?: Omit<ConsoleOptions, 'depsFor' | 'apiBase' | 'liveStreams'>
}

export function createApp(options: AppOptions) {
  const { tenants, resourceTypes, store, limits, tokens, metrics, logger, events, console: admin } = options
  const served = servedBy(tenants)
  // The same routes for the default tenant and, under its prefix, for every named one: the front
  // door put the tenant into the request's context, and the routes serve whichever it names.
  const apiAt = (prefix: string) => {
    const api = new Elysia({ prefix }).use(discoveryRoutes(served, logger))
    for (const type of resourceTypes) api.use(resourceRoutes(served, type.name, type.endpoint))
    return api.use(eventRoutes(events, (request) => served(request).base))
  }
  // Served without a token: exactly the paths of these controllers, and nothing else. The console
  // checks its own session instead, so no SCIM token opens it and no console cookie opens the API.
  const known = (tenant: string) => tenants.get(tenant) !== undefined
  const open = new Elysia()
    .use(healthRoutes(store))
    .use(eventKeyRoutes(events, API_PREFIX, known))
    .use(eventKeyRoutes(events, TENANT_API_ROUTE, known))
  const liveStreams = new LiveStreams()
  if (admin) metrics.watchLiveStreams(liveStreams)
  const consoleApp = admin
    ? consoleRoutes({
        ...admin,
        liveStreams,
        certificateEnd: () => metrics.certificateEnd(),
        depsFor: (tenant) => tenants.get(tenant)?.deps,
        apiBase: (tenant, request) => baseOf(request, tenants.get(tenant)?.deps.settings.baseUrl, tenantPrefix(tenant)),
      })
    : new Elysia()
  // As the token check compares them: without a named tenant's prefix (plugins/auth.ts).
  const openPaths = new Set(
    [...open.routes, ...consoleApp.routes].map((route) => route.path).filter((path) => !path.startsWith(TENANTS_PREFIX))
  )
  // Requests the app re-issues to itself (a canonical URL, a respelled endpoint) start over at `root`.
  const self: { root?: { handle(request: Request): Promise<Response>; routes: { method: string; path: string }[] } } =
    {}
  // They keep the original's context and skip observeRequests: one request, one log line.
  let inner: (request: Request) => Response | Promise<Response>
  const reissue = (request: Request, from: Request) => {
    carryContext(from, request)
    carryClientAddress(from, request)
    // The request is served under the re-issued path: that is what its route label is found from
    // (as the routes are written, without a named tenant's prefix).
    const ctx = contextOf(request)
    if (ctx) {
      const path = parseTarget(request.url).path
      ctx.route = apiPathOf(path) ?? path
    }
    return inner(request)
  }
  // normalize: every schema (http/models.ts) admits other properties, so Elysia's cleaning of
  // query and body against them removed nothing and only copied them, on every request.
  const root = new Elysia({ normalize: false })
    .use(
      arrival({
        frontDoor: frontDoor(reissue),
        auth: auth(tokens, openPaths),
        allowFrom: allowFrom((request) => servicesOf(tenants, request)?.allowFrom),
        // Each tenant's --rate-limit, or the server's; auth passed, so the tenant exists.
        rateLimit: rateLimit({
          rate: (request) => servicesOf(tenants, request)?.rateLimit ?? 0,
          refused: () => metrics.refused(),
        }),
      })
    )
    .use(routeFallback(() => self.root!.routes, reissue))
    .use(scimErrors(logger))
    // Before scimJson: its global parser refuses the console's urlencoded forms, and a hook
    // applies only to the routes registered after it.
    .use(consoleApp)
    .use(scimJson(limits))
    .use(open)
    .use(metricsRoutes(metrics))
    .use(apiAt(API_PREFIX))
    .use(apiAt(TENANT_API_ROUTE))
  self.root = root
  // Elysia's own `handle` is an async wrapper around `fetch`: one more promise a request to settle.
  inner = (request) => root.fetch(request) as Response | Promise<Response>
  // Elysia's `handle` is an own property; wrapped here so every caller (Bun.serve, tests) is observed.
  root.handle = observeRequests(
    inner,
    metrics,
    logger,
    () => root.routes,
    known,
    () => admin?.closing?.aborted === true
  )
  return root
}
