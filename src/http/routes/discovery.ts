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
import { SearchRequest, searchOf } from '../models'
import { internalError } from '../plugins/errors'
import { requestInfo } from '../request-info'
import { respond, respondTo } from '../respond'
import type { ServedBy } from '../tenant-of'
import type { ServiceDeps } from '../../service/context'
import type { ServiceResult } from '../../service/result'

/** Each request is answered from the services and schemas of the tenant it addresses (`served`); `logger` logs a Bulk operation's internal error. */
export function discoveryRoutes(served: ServedBy, logger?: Logger) {
  // One shape for the five discovery reads: a filter is refused (RFC 7644 §4), then the tenant's answer.
  const discovery =
    (answer: (deps: ServiceDeps, base: string, params: Record<string, string>) => ServiceResult) =>
    ({
      query,
      request,
      params,
    }: {
      query: Record<string, string | undefined>
      request: Request
      params: Record<string, string>
    }) => {
      refuseDiscoveryFilter(query.filter)
      const { deps, base } = served(request)
      return respond(answer(deps, base, params))
    }
  return new Elysia()
    .get(
      '/ServiceProviderConfig',
      discovery((deps, base) => serviceProviderConfig(deps, base))
    )
    .get(
      '/Schemas',
      discovery((deps, base) => listSchemas(deps, base))
    )
    .get(
      '/Schemas/:id',
      discovery((deps, base, params) => getSchema(deps, base, params.id!))
    )
    .get(
      '/ResourceTypes',
      discovery((deps, base) => listResourceTypes(deps, base))
    )
    .get(
      '/ResourceTypes/:name',
      discovery((deps, base, params) => getResourceType(deps, base, params.name!))
    )
    .post(
      '/.search',
      ({ request, body }) => {
        const { deps, filters, base } = served(request)
        const { params, projection } = searchOf(body)
        return respondTo(searchAll(deps, filters, params, requestInfo(request, base, projection)))
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
