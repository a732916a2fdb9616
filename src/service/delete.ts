// DELETE /{type}/{id} (RFC 7644 §3.6): 204; memberships and references to it go with the resource.
import { ScimError, quoted } from '../scim/errors'
import type { ResourceType } from '../scim/schema/types'
import type { ServiceDeps } from './context'
import { checkIfMatch } from './preconditions'
import { etagOf } from '../scim/render'
import type { RequestInfo, ServiceResult } from './result'

export async function deleteResource(
  deps: ServiceDeps,
  type: ResourceType,
  id: string,
  req: RequestInfo
): Promise<ServiceResult> {
  await deps.store.write((tx) => {
    const row = tx.get(type, id)
    if (!row) throw ScimError.notFound(`${type.name} ${quoted(id)} not found`)
    checkIfMatch(req.ifMatch, etagOf(row.version))
    tx.delete(type, row, deps.now().toISOString())
  })
  return { status: 204 }
}
