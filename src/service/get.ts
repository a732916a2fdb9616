// GET /{type}/{id} (RFC 7644 §3.4.1), with If-None-Match → 304.
import { ScimError, quoted } from '../scim/errors'
import type { ResourceType } from '../scim/schema/types'
import type { ServiceDeps, StoredResource } from './context'
import type { Effect } from './effect'
import { notModified } from './preconditions'
import type { RequestInfo, ServiceResult } from './result'
import { viewJson } from './view'

export function* mustGet(deps: ServiceDeps, type: ResourceType, id: string): Effect<StoredResource> {
  const row = yield* deps.store.get(type, id)
  if (!row) throw ScimError.notFound(`${type.name} ${quoted(id)} not found`)
  return row
}

export function* getResource(
  deps: ServiceDeps,
  type: ResourceType,
  id: string,
  req: RequestInfo
): Effect<ServiceResult> {
  const row = yield* mustGet(deps, type, id)
  const { json, etag } = yield* viewJson(deps, type, row, req)
  if (notModified(req.ifNoneMatch, etag)) return { status: 304, headers: { etag } }
  return { status: 200, headers: { etag }, json }
}
