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
  tokenHashes: readonly Buffer[]
  maxPayloadSize: number
  log?: ErrorLog
}

export function createApp({ deps, tokenHashes, maxPayloadSize, log = defaultLog }: AppOptions) {
  const filters = new FilterCache()
  const baseFor = (request: Request) => baseOf(request, deps.settings.baseUrl, API_PREFIX)
  const api = new Elysia({ prefix: API_PREFIX })
    .use(auth(tokenHashes))
    .use(discoveryRoutes(deps, filters, { maxResults: deps.settings.maxResults, maxPayloadSize }, baseFor))
  for (const type of deps.registry.resourceTypes) api.use(resourceRoutes(deps, filters, type, baseFor))
  return new Elysia()
    .use(scimErrors(log))
    .use(scimJson)
    .get('/healthz', () => new Response('ok\n', { headers: { 'content-type': 'text/plain' } }))
    .use(new Elysia().use(auth(tokenHashes)).use(metricsRoutes(deps)))
    .use(api)
}

function defaultLog(message: string, error: unknown): void {
  console.error(message, error)
}
