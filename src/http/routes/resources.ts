// One generic controller per resource type: list, search, create, get, replace, patch, delete.
import { Elysia } from 'elysia'
import type { ResourceType } from '../../scim/schema/types'
import type { ServiceDeps } from '../../service/context'
import { createResource } from '../../service/create'
import { deleteResource } from '../../service/delete'
import type { FilterCache } from '../../service/filter-cache'
import { getResource } from '../../service/get'
import { listResources } from '../../service/list'
import { patchResource } from '../../service/patch'
import { replaceResource } from '../../service/replace'
import { ListQuery, ResourceQuery, SearchRequest, joinList } from '../models'
import { requestInfo } from '../request-info'
import { respond } from '../respond'

export function resourceRoutes(
  deps: ServiceDeps,
  filters: FilterCache,
  type: ResourceType,
  baseFor: (r: Request) => string
) {
  const info = (request: Request, query: { attributes?: string; excludedAttributes?: string }) =>
    requestInfo(request, baseFor(request), query)
  return new Elysia({ prefix: type.endpoint })
    .get('', ({ request, query }) => respond(listResources(deps, filters, type, query, info(request, query))), {
      query: ListQuery,
    })
    .post(
      '/.search',
      ({ request, body }) => {
        const projection = {
          attributes: joinList(body.attributes),
          excludedAttributes: joinList(body.excludedAttributes),
        }
        return respond(listResources(deps, filters, type, body, info(request, projection)))
      },
      { body: SearchRequest }
    )
    .post(
      '',
      async ({ request, body, query }) => respond(await createResource(deps, type, body, info(request, query))),
      { query: ResourceQuery }
    )
    .get('/:id', ({ request, params, query }) => respond(getResource(deps, type, params.id, info(request, query))), {
      query: ResourceQuery,
    })
    .put(
      '/:id',
      async ({ request, params, body, query }) =>
        respond(await replaceResource(deps, type, params.id, body, info(request, query))),
      { query: ResourceQuery }
    )
    .patch(
      '/:id',
      async ({ request, params, body, query }) =>
        respond(await patchResource(deps, type, params.id, body, info(request, query))),
      { query: ResourceQuery }
    )
    .delete('/:id', async ({ request, params }) =>
      respond(await deleteResource(deps, type, params.id, info(request, {})))
    )
}
