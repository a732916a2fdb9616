// Discovery endpoints (RFC 7644 §4), the root /.search, and 501s for what is not offered.
import { Elysia } from 'elysia'
import { ScimError } from '../../scim/errors'
import type { ServiceDeps } from '../../service/context'
import {
  getResourceType,
  getSchema,
  listResourceTypes,
  listSchemas,
  serviceProviderConfig,
} from '../../service/discovery'
import type { FilterCache } from '../../service/filter-cache'
import { runBulk } from '../../service/bulk'
import { searchAll } from '../../service/search-all'
import { SearchRequest, joinList } from '../models'
import { requestInfo } from '../request-info'
import { respond } from '../respond'

export function discoveryRoutes(deps: ServiceDeps, filters: FilterCache, baseFor: (r: Request) => string) {
  return new Elysia()
    .get('/ServiceProviderConfig', ({ request }) => respond(serviceProviderConfig(deps, baseFor(request))))
    .get('/Schemas', ({ request }) => respond(listSchemas(deps, baseFor(request))))
    .get('/Schemas/:id', ({ request, params }) => respond(getSchema(deps, baseFor(request), params.id)))
    .get('/ResourceTypes', ({ request }) => respond(listResourceTypes(deps, baseFor(request))))
    .get('/ResourceTypes/:name', ({ request, params }) => respond(getResourceType(deps, baseFor(request), params.name)))
    .post(
      '/.search',
      ({ request, body }) => {
        const projection = {
          attributes: joinList(body.attributes),
          excludedAttributes: joinList(body.excludedAttributes),
        }
        return respond(searchAll(deps, filters, body, requestInfo(request, baseFor(request), projection)))
      },
      { body: SearchRequest }
    )
    .post('/Bulk', async ({ request, body }) =>
      respond(
        await runBulk(deps, body, requestInfo(request, baseFor(request), {}), deps.settings.limits.maxBulkOperations)
      )
    )
    .all('/Me', () => {
      throw ScimError.notImplemented('/Me is not supported: tokens here belong to provisioning clients, not users')
    })
}
