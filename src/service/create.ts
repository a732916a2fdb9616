// POST /{type} (RFC 7644 §3.3): coerce, check references, insert, answer 201 with Location.
import { ScimError } from '../scim/errors'
import { coerceResource } from '../scim/schema/coerce'
import { locationOf } from '../scim/render'
import type { ResourceType } from '../scim/schema/types'
import type { ServiceDeps, StoredResource } from './context'
import { awaited, type Effect } from './effect'
import type { RequestInfo, ServiceResult } from './result'
import { checkAgainstOthers } from './write-checks'
import { diffDocuments, memberChanges } from '../journal/diff'
import { neverReturnedPaths } from '../scim/schema/never-returned'
import { changeEntry } from './journal-entry'
import { projectionOf, renderView } from './view'

/** What an import keeps of an exported resource; a normal create assigns all of it. */
export interface KeptIdentity {
  id: string
  version: number
  created: string
  lastModified: string
}

export function* createResource(
  deps: ServiceDeps,
  type: ResourceType,
  body: unknown,
  req: RequestInfo,
  kept?: KeptIdentity
): Effect<ServiceResult> {
  // Read before writing: a bad attributes list is a 400 with nothing stored.
  const plan = projectionOf(type, req)
  const { doc, members } = coerceResource(type, body, { mode: 'create', compat: req.compat })
  const row = yield* awaited(
    deps.store.write(function* (tx) {
      const now = deps.now().toISOString()
      const fresh = { id: deps.newId(), version: 1, created: now, lastModified: now }
      if (kept && (yield* tx.existing([kept.id])).size > 0)
        throw ScimError.uniqueness(`id ${kept.id} is taken by another resource`)
      const created: StoredResource = { ...(kept ?? fresh), type: type.name, data: doc }
      yield* checkAgainstOthers(tx, type, undefined, doc, created.id)
      const added = yield* tx.insert(type, created, members)
      const changes = () => [...diffDocuments(undefined, doc, neverReturnedPaths(type)), ...memberChanges(added)]
      yield* tx.journal(changeEntry(req, 'create', type, undefined, created, changes, created.lastModified))
      return created
    })
  )
  // A user just created is in no group (memberships are made through groups, and a new id has
  // none): its `groups` need no read.
  const shown = type.name === 'User' ? { ...row, groupsRead: [] } : row
  const view = yield* renderView(deps, type, shown, req, plan)
  return { status: 201, headers: { location: locationOf(req.base, type, row.id), etag: view.etag }, body: view.doc }
}
