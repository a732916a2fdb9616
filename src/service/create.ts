// POST /{type} (RFC 7644 §3.3): coerce, check references, insert, answer 201 with Location.
import { coerceResource } from '../scim/schema/coerce'
import { locationOf } from '../scim/render'
import type { ResourceType } from '../scim/schema/types'
import type { ServiceDeps, StoredResource } from './context'
import { checkManager } from './references'
import type { RequestInfo, ServiceResult } from './result'
import { projectionOf, renderView } from './view'

export async function createResource(deps: ServiceDeps, type: ResourceType, body: unknown, req: RequestInfo): Promise<ServiceResult> {
  // Read before writing: a bad attributes list is a 400 with nothing stored.
  const plan = projectionOf(type, req)
  const { doc, members } = coerceResource(type, body, { mode: 'create' })
  const row = await deps.store.write((tx) => {
    const now = deps.now().toISOString()
    const created: StoredResource = { id: deps.newId(), type: type.name, data: doc, version: 1, created: now, lastModified: now }
    checkManager(tx, undefined, doc, created.id)
    tx.insert(type, created, members)
    return created
  })
  const view = renderView(deps, type, row, req, plan)
  return { status: 201, headers: { location: locationOf(req.base, type, row.id), etag: view.etag }, body: view.doc }
}
