// createApp(deps): the Elysia application, without listen(), so tests drive it through app.handle().
import { Elysia } from 'elysia'
import type { ServiceDeps } from '../service/context'
import { FilterCache } from '../service/filter-cache'
import { frontDoor } from './front-door'
import { auth } from './plugins/auth'
import { consoleErrorLog, scimErrors, type ErrorLog } from './plugins/errors'
import { routeFallback } from './route-fallback'
import { scimJson } from './plugins/scim-json'
import { baseOf } from './request-info'
import { discoveryRoutes } from './routes/discovery'
import { healthRoutes } from './routes/health'
import { metricsRoutes } from './routes/metrics'
import { resourceRoutes } from './routes/resources'

/** Where the SCIM API lives; the Tenant URL an admin pastes into Entra ends with it. */
export const API_PREFIX = '/scim/v2'

export interface AppOptions {
  deps: ServiceDeps
  /** Accepted token hashes, asked per request so a rotation takes effect without a restart. */
  tokenHashes: () => readonly Buffer[]
  log?: ErrorLog
}

export function createApp({ deps, tokenHashes, log = defaultLog }: AppOptions) {
  const filters = new FilterCache()
  const baseFor = (request: Request) => baseOf(request, deps.settings.baseUrl, API_PREFIX)
  const api = new Elysia({ prefix: API_PREFIX })
    .use(discoveryRoutes(deps, filters, baseFor))
  for (const type of deps.registry.resourceTypes) api.use(resourceRoutes(deps, filters, type, baseFor))
  // Served without a token: exactly the paths of this controller, and nothing else.
  const open = healthRoutes(deps.store)
  const openPaths = new Set(open.routes.map((route) => route.path))
  // Requests the app re-issues to itself (a canonical URL, a respelled endpoint) start over at `root`.
  const self: { root?: { handle(request: Request): Promise<Response>; routes: { method: string; path: string }[] } } = {}
  const reissue = (request: Request) => self.root!.handle(request)
  const root = new Elysia()
    .use(frontDoor(reissue))
    .use(auth(tokenHashes, openPaths))
    .use(routeFallback(() => self.root!.routes, reissue))
    .use(scimErrors(log))
    .use(scimJson(deps.settings.limits))
    .use(open)
    .use(metricsRoutes(deps))
    .use(api)
  self.root = root
  return root
}

const defaultLog = consoleErrorLog(false)
