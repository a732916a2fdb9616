// Discovery endpoints (RFC 7644 §4), the root /.search, and 501s for what is not offered.
import { Elysia } from 'elysia'
import type { Logger } from '../../log/types'
import { ScimError } from '../../scim/errors'
import {
  getResourceType,
  getSchema,
  listResourceTypes,
  listSchemas,
  refuseDiscoveryFilter,
  serviceProviderConfig,
} from '../../service/discovery'
import { runBulk } from '../../service/bulk'
import { searchAll } from '../../service/search-all'
import { SearchRequest, joinList } from '../models'
import { internalError } from '../plugins/errors'
import { requestInfo } from '../request-info'
import { respond, respondTo } from '../respond'
import type { ServedBy } from '../tenant-of'

/** Each request is answered from the services and schemas of the tenant it addresses (`served`); `logger` logs a Bulk operation's internal error. */
export function discoveryRoutes(served: ServedBy, logger?: Logger) {
  return new Elysia()
    .get('/ServiceProviderConfig', ({ query, request }) => {
      refuseDiscoveryFilter(query.filter)
      const { deps, base } = served(request)
      return respond(serviceProviderConfig(deps, base))
    })
    .get('/Schemas', ({ query, request }) => {
      refuseDiscoveryFilter(query.filter)
      const { deps, base } = served(request)
      return respond(listSchemas(deps, base))
    })
    .get('/Schemas/:id', ({ query, request, params }) => {
      refuseDiscoveryFilter(query.filter)
      const { deps, base } = served(request)
      return respond(getSchema(deps, base, params.id))
    })
    .get('/ResourceTypes', ({ query, request }) => {
      refuseDiscoveryFilter(query.filter)
      const { deps, base } = served(request)
      return respond(listResourceTypes(deps, base))
    })
    .get('/ResourceTypes/:name', ({ query, request, params }) => {
      refuseDiscoveryFilter(query.filter)
      const { deps, base } = served(request)
      return respond(getResourceType(deps, base, params.name))
    })
    .post(
      '/.search',
      ({ request, body }) => {
        const { deps, filters, base } = served(request)
        const projection = {
          attributes: joinList(body.attributes),
          excludedAttributes: joinList(body.excludedAttributes),
        }
        return respondTo(searchAll(deps, filters, body, requestInfo(request, base, projection)))
      },
      { body: SearchRequest }
    )
    .post('/Bulk', ({ request, body }) => {
      const { deps, base } = served(request)
      const info = {
        ...requestInfo(request, base, {}),
        internalError: (err: unknown) => internalError(logger, request, err),
      }
      return respondTo(runBulk(deps, body, info, deps.settings.limits.maxBulkOperations))
    })
    .all('/Me', () => {
      throw ScimError.notImplemented('/Me is not supported: tokens here belong to provisioning clients, not users')
    })
}
