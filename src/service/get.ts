// GET /{type}/{id} (RFC 7644 §3.4.1), with If-None-Match → 304 and a failed If-Match → 412.
import { ScimError, quoted } from '../scim/errors'
import type { ResourceType } from '../scim/schema/types'
import type { ServiceDeps } from './context'
import type { Effect } from './effect'
import { notModified } from './preconditions'
import type { RequestInfo, ServiceResult } from './result'
import { knownReferences, projectionOf, readReferences, viewJsonWith } from './view'

export function* getResource(
  deps: ServiceDeps,
  type: ResourceType,
  id: string,
  req: RequestInfo
): Effect<ServiceResult> {
  const row = yield* deps.store.get(type, id)
  if (!row) throw ScimError.notFound(`${type.name} ${quoted(id)} not found`)
  // viewJson's steps, without a generator of its own: the hottest read of all runs two (this and get).
  const plan = projectionOf(type, req)
  const refs = knownReferences(type, row, plan) ?? (yield* readReferences(deps, type, row))
  return answer(req, viewJsonWith(type, row, req, plan, refs))
}

function answer(req: RequestInfo, { json, etag }: { json: string; etag: string }): ServiceResult {
  if (notModified(req, etag)) return { status: 304, headers: { etag } }
  return { status: 200, headers: { etag }, json }
}
