// DELETE /{type}/{id} (RFC 7644 §3.6): 204; memberships and references to it go with the resource.
import { ScimError, quoted } from '../scim/errors'
import type { ResourceType } from '../scim/schema/types'
import type { ServiceDeps } from './context'
import { awaited, type Effect } from './effect'
import { checkWritePreconditions } from './preconditions'
import { etagOf } from '../scim/render'
import type { RequestInfo, ServiceResult } from './result'
import { diffDocuments, memberChanges } from '../journal/diff'
import { neverReturnedPaths } from '../scim/schema/never-returned'
import { changeEntry, journalCascades } from './journal-entry'

export function* deleteResource(
  deps: ServiceDeps,
  type: ResourceType,
  id: string,
  req: RequestInfo
): Effect<ServiceResult> {
  yield* awaited(
    deps.store.write(function* (tx) {
      const row = yield* tx.get(type, id)
      if (!row) throw ScimError.notFound(`${type.name} ${quoted(id)} not found`)
      checkWritePreconditions(req, etagOf(row.version))
      const at = deps.now().toISOString()
      // The entry holds everything the resource was, members included, so a restore can rebuild it.
      const members = type.name === 'Group' ? yield* tx.members(row.id) : []
      const cascades = yield* tx.delete(type, row, at)
      const changes = () => [
        ...diffDocuments(row.data, undefined, neverReturnedPaths(type)),
        ...memberChanges(members.map((m) => ({ id: m.value, type: m.type, added: false }))),
      ]
      yield* tx.journal(changeEntry(req, 'delete', type, row, undefined, changes, at))
      yield* journalCascades(tx, req, cascades, at)
    })
  )
  return { status: 204 }
}
