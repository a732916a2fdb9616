// PUT /{type}/{id} (RFC 7644 §3.5.1): replace, keeping readOnly attributes and checking immutables.
import { deepEqual } from '../scim/document'
import { ScimError, quoted } from '../scim/errors'
import { etagOf } from '../scim/render'
import { coerceResource } from '../scim/schema/coerce'
import type { ResourceType } from '../scim/schema/types'
import type { ServiceDeps, StoredResource } from './context'
import { awaited, type Effect } from './effect'
import { checkWritePreconditions } from './preconditions'
import type { RequestInfo, ServiceResult } from './result'
import { checkAgainstOthers } from './write-checks'
import { diffDocuments, memberChanges } from '../journal/diff'
import { neverReturnedPaths } from '../scim/schema/never-returned'
import { changeEntry } from './journal-entry'
import { projectionOf, renderView } from './view'

export function* replaceResource(
  deps: ServiceDeps,
  type: ResourceType,
  id: string,
  body: unknown,
  req: RequestInfo
): Effect<ServiceResult> {
  // Read before writing: a bad attributes list is a 400 with nothing changed.
  const plan = projectionOf(type, req)
  const row = yield* awaited(
    deps.store.write(function* (tx) {
      const before = yield* tx.get(type, id)
      if (!before) throw ScimError.notFound(`${type.name} ${quoted(id)} not found`)
      checkWritePreconditions(req, etagOf(before.version))
      const { doc, members } = coerceResource(type, body, {
        mode: 'replace',
        existing: before.data,
        compat: req.compat,
      })
      yield* checkAgainstOthers(tx, type, before.data, doc, id)
      const at = deps.now().toISOString()
      // PUT replaces the member list only when the body carries one (RFC 7644 §3.5.1).
      const moved =
        members === undefined ? [] : yield* tx.applyMemberOps(before, [{ kind: 'clear' }, { kind: 'add', members }], at)
      // A PUT that changes nothing served keeps the version and lastModified, as a no-op PATCH does.
      if (moved.length === 0 && deepEqual(before.data, doc)) return before
      const after: StoredResource = { ...before, data: doc, version: before.version + 1, lastModified: at }
      yield* tx.update(type, before, after)
      const changes = () => [...diffDocuments(before.data, doc, neverReturnedPaths(type)), ...memberChanges(moved)]
      yield* tx.journal(changeEntry(req, 'replace', type, before, after, changes, at))
      return after
    })
  )
  const { doc, etag } = yield* renderView(deps, type, row, req, plan)
  return { status: 200, headers: { etag }, body: doc }
}
