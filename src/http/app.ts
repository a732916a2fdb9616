// createApp(deps): the Elysia application, without listen(), so tests drive it through app.handle().
import { Elysia } from 'elysia'
import type { ServiceDeps } from '../service/context'
import { FilterCache } from '../service/filter-cache'
import { auth } from './plugins/auth'
import { scimErrors, type ErrorLog } from './plugins/errors'
import { scimJson } from './plugins/scim-json'
import { baseOf } from './request-info'
import { discoveryRoutes } from './routes/discovery'
import { metricsRoutes } from './routes/metrics'
import { resourceRoutes } from './routes/resources'

/** Where the SCIM API lives; the Tenant URL an admin pastes into Entra ends with it. */
export const API_PREFIX = '/scim/v2'

export interface AppOptions {
  deps: ServiceDeps
  /** Accepted token hashes, asked per request so a rotation takes effect without a restart. */
  tokenHashes: () => readonly Buffer[]
  maxPayloadSize: number
  log?: ErrorLog
}

export function createApp({ deps, tokenHashes, maxPayloadSize, log = defaultLog }: AppOptions) {
  const filters = new FilterCache()
  const baseFor = (request: Request) => baseOf(request, deps.settings.baseUrl, API_PREFIX)
  const api = new Elysia({ prefix: API_PREFIX })
    .use(discoveryRoutes(deps, filters, { maxResults: deps.settings.maxResults, maxPayloadSize }, baseFor))
  for (const type of deps.registry.resourceTypes) api.use(resourceRoutes(deps, filters, type, baseFor))
  const self: { handle?: (request: Request) => Promise<Response> } = {}
  const root = new Elysia()
    // A Tenant URL pasted with a trailing slash makes `…/scim/v2//Users`; serve it as `/scim/v2/Users`.
    .onRequest(({ request }) => {
      if (request.url.indexOf('//', 8) < 0) return
      const fixed = collapseSlashes(request.url)
      if (fixed !== undefined) return self.handle!(new Request(fixed, request))
    })
    .use(auth(tokenHashes))
    .use(scimErrors(log))
    .use(scimJson(deps.settings.limits))
    .get('/healthz', () => new Response('ok\n', { headers: { 'content-type': 'text/plain' } }))
    .use(metricsRoutes(deps))
    .use(api)
  self.handle = (request) => root.handle(request)
  return root
}

/** The URL with runs of `/` in its path collapsed, or undefined when there are none. */
export function collapseSlashes(url: string): string | undefined {
  const pathStart = url.indexOf('/', url.indexOf('//') + 2)
  if (pathStart < 0) return undefined
  const queryStart = url.indexOf('?', pathStart)
  const path = queryStart < 0 ? url.slice(pathStart) : url.slice(pathStart, queryStart)
  if (!path.includes('//')) return undefined
  return url.slice(0, pathStart) + path.replace(/\/{2,}/g, '/') + (queryStart < 0 ? '' : url.slice(queryStart))
}

function defaultLog(message: string, error: unknown): void {
  console.error(message, error)
}
