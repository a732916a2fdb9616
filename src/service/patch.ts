// PATCH /{type}/{id} (RFC 7644 §3.5.2): normalise IdP dialects, apply atomically, persist.
import { normalizePatchRequest } from '../scim/compat/normalize-patch'
import { ScimError, quoted } from '../scim/errors'
import { ElementBudget } from '../scim/limits'
import { applyPatch, type PatchResult } from '../scim/patch/apply'
import { etagOf } from '../scim/render'
import { deepEqual } from '../scim/document'
import type { Doc } from '../scim/document'
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

/** The engine's `changed` also counts member ops, which may all be no-ops: then the document decides. */
function documentChanged(before: Doc, result: PatchResult): boolean {
  return result.memberOps.length === 0 ? result.changed : !deepEqual(before, result.doc)
}

/** A strict tenant's answer where a compatibility rule would have accepted the request. */
function refuseDeviation(rule: string): never {
  throw ScimError.invalidSyntax(
    `this tenant accepts PATCH only as RFC 7644 §3.5.2 defines it; the request needs the ${rule} compatibility rule (lower-case op names, no "$ref": null, no echoed id, schemas or meta)`
  )
}

/**
 * Users answer 200 with the resource (Microsoft's validator expects it); groups answer 204,
 * as Entra asks, so a 100,000-member group is never serialised for a one-member change. Either
 * way a request that names `attributes` gets 200 with the resource (RFC 7644 §3.5.2).
 */
export function* patchResource(
  deps: ServiceDeps,
  type: ResourceType,
  id: string,
  body: unknown,
  req: RequestInfo
): Effect<ServiceResult> {
  // A strict tenant refuses every compatibility rule the request would need, wherever it fires.
  const fired = deps.settings.strictPatch ? refuseDeviation : req.compat
  const { limits } = deps.settings
  const ops = normalizePatchRequest(body, fired, limits)
  // Read before writing: a bad attributes list is a 400 with nothing changed.
  const plan = projectionOf(type, req)
  const shared = req.elementBudget ?? new ElementBudget(limits)
  let spent: ElementBudget | undefined
  const row = yield* awaited(
    deps.store
      .write(function* (tx) {
        const before = yield* tx.get(type, id)
        if (!before) throw ScimError.notFound(`${type.name} ${quoted(id)} not found`)
        checkWritePreconditions(req, etagOf(before.version))
        // A store may run this again (PostgreSQL re-runs a batch): each run spends from a fresh copy.
        spent = shared.attempt()
        const result = applyPatch(type, before.data, ops, fired, spent)
        const now = deps.now().toISOString()
        // RFC 7644 §3.5.2.1: a PATCH that changes nothing (Entra's retried adds and removes) keeps
        // version and lastModified.
        const moved = result.memberOps.length > 0 ? yield* tx.applyMemberOps(before, result.memberOps, now) : []
        if (moved.length === 0 && !documentChanged(before.data, result)) return before
        yield* checkAgainstOthers(tx, type, before.data, result.doc, id)
        const after: StoredResource = { ...before, data: result.doc, version: before.version + 1, lastModified: now }
        yield* tx.update(type, before, after)
        const changes = () => [
          ...diffDocuments(before.data, result.doc, neverReturnedPaths(type)),
          ...memberChanges(moved),
        ]
        yield* tx.journal(changeEntry(req, 'patch', type, before, after, changes, now))
        return after
      })
      .finally(() => spent && shared.charge(spent))
  )
  if (type.name === 'Group' && req.attributes === undefined)
    return { status: 204, headers: { etag: etagOf(row.version) } }
  const { doc, etag } = yield* renderView(deps, type, row, req, plan)
  return { status: 200, headers: { etag }, body: doc }
}
