// One generic controller per resource type: list, search, create, get, replace, patch, delete.
import { Elysia } from 'elysia'
import { ScimError } from '../../scim/errors'
import type { ResourceType } from '../../scim/schema/types'
import { createResource } from '../../service/create'
import { deleteResource } from '../../service/delete'
import { getResource } from '../../service/get'
import { listResources } from '../../service/list'
import { patchResource } from '../../service/patch'
import { replaceResource } from '../../service/replace'
import { ListQuery, ResourceQuery, SearchRequest, searchOf } from '../models'
import { requestInfo } from '../request-info'
import { respondTo } from '../respond'
import type { Served, ServedBy } from '../tenant-of'

/**
 * Routed once, at `endpoint`, for every tenant: each request takes the resource type of that name
 * from the registry of the tenant it addresses, whose schemas (packs, documents) are its own.
 */
export function resourceRoutes(served: ServedBy, name: string, endpoint: string) {
  // Made once per Served (tenant and base), not per request.
  const withType = new WeakMap<Served, Served & { type: ResourceType }>()
  const open = (request: Request): Served & { type: ResourceType } => {
    const tenant = served(request)
    let opened = withType.get(tenant)
    if (!opened) {
      const type = tenant.deps.registry.resourceType(name)
      if (!type) throw ScimError.notFound(`this tenant has no resource type ${name}`)
      opened = { ...tenant, type }
      withType.set(tenant, opened)
    }
    return opened
  }
  return new Elysia({ prefix: endpoint })
    .get(
      '',
      ({ request, query }) => {
        const { deps, filters, type, base } = open(request)
        return respondTo(listResources(deps, filters, type, query, requestInfo(request, base, query)))
      },
      { query: ListQuery }
    )
    .post(
      '/.search',
      ({ request, body }) => {
        const { deps, filters, type, base } = open(request)
        const { params, projection } = searchOf(body)
        return respondTo(listResources(deps, filters, type, params, requestInfo(request, base, projection)))
      },
      { body: SearchRequest }
    )
    .post(
      '',
      ({ request, body, query }) => {
        const { deps, type, base } = open(request)
        return respondTo(createResource(deps, type, body, requestInfo(request, base, query)))
      },
      { query: ResourceQuery }
    )
    .get(
      '/:id',
      ({ request, params, query }) => {
        const { deps, type, base } = open(request)
        return respondTo(getResource(deps, type, params.id, requestInfo(request, base, query)))
      },
      { query: ResourceQuery }
    )
    .put(
      '/:id',
      ({ request, params, body, query }) => {
        const { deps, type, base } = open(request)
        return respondTo(replaceResource(deps, type, params.id, body, requestInfo(request, base, query)))
      },
      { query: ResourceQuery }
    )
    .patch(
      '/:id',
      ({ request, params, body, query }) => {
        const { deps, type, base } = open(request)
        return respondTo(patchResource(deps, type, params.id, body, requestInfo(request, base, query)))
      },
      { query: ResourceQuery }
    )
    .delete('/:id', ({ request, params }) => {
      const { deps, type, base } = open(request)
      return respondTo(deleteResource(deps, type, params.id, requestInfo(request, base, {})))
    })
}
