// RFC 7644 §4 discovery: /ServiceProviderConfig, /Schemas and /ResourceTypes, from the registry.
import { URN_RESOURCE_TYPE, URN_SCHEMA, URN_SERVICE_PROVIDER_CONFIG } from '../scim/constants'
import { ScimError, quoted } from '../scim/errors'
import { listResponse } from '../scim/list'
import type { ServiceDeps } from './context'
import type { ServiceResult } from './result'

/** Tells the truth about what this server supports; limits come from the running configuration. */
export function serviceProviderConfig(deps: ServiceDeps, base: string): ServiceResult {
  const { limits, maxResults } = deps.settings
  return {
    status: 200,
    body: {
      schemas: [URN_SERVICE_PROVIDER_CONFIG],
      documentationUri: 'https://datatracker.ietf.org/doc/html/rfc7644',
      patch: { supported: true },
      bulk: { supported: true, maxOperations: limits.maxBulkOperations, maxPayloadSize: limits.maxRequestBytes },
      filter: { supported: true, maxResults },
      changePassword: { supported: false },
      sort: { supported: true },
      // RFC 9865 §4: both paging methods; index stays the default that Entra and Okta use.
      pagination: {
        cursor: true,
        index: true,
        defaultPaginationMethod: 'index',
        defaultPageSize: deps.settings.defaultCount,
        maxPageSize: deps.settings.maxResults,
        cursorTimeout: deps.settings.cursorTimeout,
      },
      etag: { supported: true },
      authenticationSchemes: [
        {
          type: 'oauthbearertoken',
          name: 'OAuth Bearer Token',
          description: 'A long-lived secret token sent as Authorization: Bearer <token>',
          specUri: 'https://datatracker.ietf.org/doc/html/rfc6750',
          primary: true,
        },
      ],
      // RFC 9967 §4: present only when events are on.
      ...(deps.events ? { securityEvents: deps.events.securityEvents(base) } : {}),
      meta: { resourceType: 'ServiceProviderConfig', location: `${base}/ServiceProviderConfig` },
    },
  }
}

/**
 * RFC 7644 §4: discovery endpoints ignore sorting and paging, but a `filter` is refused with 403 so
 * that no client takes the unfiltered answer for one that matched its filter.
 */
export function refuseDiscoveryFilter(filter: string | undefined): void {
  if (filter !== undefined)
    throw new ScimError(403, 'discovery endpoints (RFC 7644 §4) cannot be filtered: ask without a filter')
}

function schemaResource(doc: object & { id: string }, base: string) {
  return { schemas: [URN_SCHEMA], ...doc, meta: { resourceType: 'Schema', location: `${base}/Schemas/${doc.id}` } }
}

export function listSchemas(deps: ServiceDeps, base: string): ServiceResult {
  const all = deps.registry.schemas.map((s) => schemaResource(s.document, base))
  return { status: 200, body: listResponse(all.length, 1, all) }
}

export function getSchema(deps: ServiceDeps, base: string, id: string): ServiceResult {
  const schema = deps.registry.schema(id)
  if (!schema) throw ScimError.notFound(`schema ${quoted(id)} not found`)
  return { status: 200, body: schemaResource(schema.document, base) }
}

function resourceTypeResource(deps: ServiceDeps, name: string, base: string) {
  const type = deps.registry.resourceType(name)!
  const d = type.document
  return {
    schemas: [URN_RESOURCE_TYPE],
    id: d.id ?? d.name,
    name: d.name,
    endpoint: d.endpoint,
    description: d.description,
    schema: d.schema,
    schemaExtensions: d.schemaExtensions ?? [],
    meta: { resourceType: 'ResourceType', location: `${base}/ResourceTypes/${d.name}` },
  }
}

export function listResourceTypes(deps: ServiceDeps, base: string): ServiceResult {
  const all = deps.registry.resourceTypes.map((t) => resourceTypeResource(deps, t.name, base))
  return { status: 200, body: listResponse(all.length, 1, all) }
}

export function getResourceType(deps: ServiceDeps, base: string, name: string): ServiceResult {
  if (!deps.registry.resourceType(name)) throw ScimError.notFound(`resource type ${quoted(name)} not found`)
  return { status: 200, body: resourceTypeResource(deps, name, base) }
}
