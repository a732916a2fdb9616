// `journal restore`: what was deleted or changed after T, put back through the normal write services.
import { pathValue, putPath } from '../journal/diff'
import { historiesSince, type ResourceHistory } from '../journal/restore-plan'
import type { JournalEntry } from '../journal/types'
import { foldCase } from '../scim/case-fold'
import { URN_ENTERPRISE_USER, URN_PATCH_OP } from '../scim/constants'
import { deepEqual, isObject, type Doc } from '../scim/document'
import { ScimError, UnknownReferenceError } from '../scim/errors'
import { schemasOf } from '../scim/schema/coerce'
import type { ResourceType } from '../scim/schema/types'
import type { ServiceDeps } from './context'
import { createResource } from './create'
import type { Effect } from './effect'
import { patchResource } from './patch'
import { replaceResource } from './replace'
import type { RequestInfo } from './result'

/** One thing a restore does (or, in a dry run, would do), for its report. */
export interface RestoreStep {
  action: 'recreate' | 'revert' | 'members'
  type: string
  id: string
  /** What changes: the paths reverted, the members re-added and removed. */
  detail: string
  /** Why it failed; absent when it was done. */
  error?: ScimError
}

function body(type: ResourceType, doc: Doc): Doc {
  return { schemas: schemasOf(type, doc), ...doc }
}

/** The document at T: the current one (nothing when deleted) with every path changed since put back. */
function documentAt(h: ResourceHistory, current: Doc | undefined): Doc {
  const doc = structuredClone(current ?? {})
  for (const [path, value] of h.paths) putPath(doc, path, value)
  return doc
}

/** A manager may be restored later in the same run: recreated users get theirs once all exist. */
function withoutManager(doc: Doc): Doc {
  const ext = doc[URN_ENTERPRISE_USER]
  if (!isObject(ext) || ext.manager === undefined) return doc
  const { manager: _, ...rest } = ext
  const out = { ...doc }
  if (Object.keys(rest).length === 0) delete out[URN_ENTERPRISE_USER]
  else out[URN_ENTERPRISE_USER] = rest
  return out
}

/**
 * What a dry run can tell of a recreate without writing: a userName another user holds now (the
 * 409 the real run gets). A dry run promised such recreates, and the real run then refused them.
 */
function* takenName(deps: ServiceDeps, type: ResourceType, doc: Doc): Effect<ScimError | undefined> {
  if (type.name !== 'User' || typeof doc.userName !== 'string') return undefined
  const holders = yield* deps.store.findByName(type, foldCase(doc.userName))
  return holders.length > 0 ? ScimError.uniqueness(`a ${type.name} with this userName already exists`) : undefined
}

function* attempt(step: RestoreStep, write: Effect<unknown>): Effect<RestoreStep> {
  try {
    yield* write
  } catch (err) {
    if (!(err instanceof ScimError)) throw err
    step.error = err
  }
  return step
}

/**
 * Puts every resource that existed at T back as it was then, from `entries` (the tenant's,
 * from T on, in seq order): deleted users and groups are created again under their old id (so
 * the identity provider's stored ids keep working), changed ones are replaced by their state at
 * T, and group memberships of resources that existed at T are re-added or removed. Resources
 * created after T keep what they have, except what a restored resource's delete took from them
 * (their manager, a member). Every write goes through the services, so it is validated and
 * journaled like any other; running a restore twice changes nothing the second time.
 */
export function* restoreSince(
  deps: ServiceDeps,
  entries: Iterable<JournalEntry>,
  req: RequestInfo,
  dryRun: boolean
): Effect<RestoreStep[]> {
  const all = historiesSince(entries)
  // What existed at T, and what was made later but lost something to a cascade and still exists.
  const histories = [...all.values()].filter((h) => h.existed || !h.deleted)
  const typeOf = (h: ResourceHistory) => deps.registry.resourceType(h.type)
  function* exists(typeName: string, id: string): Effect<boolean> {
    const type = deps.registry.resourceType(typeName)
    return type !== undefined && (yield* deps.store.get(type, id)) !== undefined
  }
  // Users first: groups list them, and they are what a scoping mistake removes.
  histories.sort((a, b) => Number(a.type !== 'User') - Number(b.type !== 'User'))
  const steps: RestoreStep[] = []
  // Two passes: every deleted resource exists again (without its manager) before any document
  // is reverted, so a reverted manager reference always finds its target.
  const reverts: { h: ResourceHistory; type: ResourceType; target: Doc; step?: RestoreStep }[] = []
  for (const h of histories) {
    const type = typeOf(h)
    if (!type) continue
    const current = yield* deps.store.get(type, h.id)
    const target = documentAt(h, current?.data)
    if (!current && h.deleted) {
      const step: RestoreStep = { action: 'recreate', type: h.type, id: h.id, detail: nameOf(target) }
      const at = deps.now().toISOString()
      const identity = { id: h.id, version: (h.lastVersion ?? 0) + 1, created: at, lastModified: at }
      const first = withoutManager(target)
      if (!dryRun) yield* attempt(step, createResource(deps, type, body(type, first), req, identity))
      else step.error = yield* takenName(deps, type, target)
      steps.push(step)
      if (!step.error && first !== target) reverts.push({ h, type, target })
    } else if (current && !deepEqual(target, current.data)) {
      const paths = [...h.paths.keys()].filter((p) => !deepEqual(h.paths.get(p), pathValue(current.data, p)))
      const step: RestoreStep = { action: 'revert', type: h.type, id: h.id, detail: paths.join(', ') }
      steps.push(step)
      reverts.push({ h, type, target, step })
    }
  }
  for (const { h, type, target, step } of reverts) {
    if (dryRun) continue
    const done = step ?? { action: 'revert', type: h.type, id: h.id, detail: 'manager' }
    yield* attempt(done, replaceResource(deps, type, h.id, body(type, target), req))
    const without = withoutManager(target)
    if (done.error instanceof UnknownReferenceError && without !== target) {
      // The manager's own restore failed (its userName taken again, say): the rest of the
      // report goes back all the same, re-enabled, and the manager is told as not restored.
      // A failed manager kept every one of its reports disabled.
      const missing: RestoreStep = { action: 'revert', type: h.type, id: h.id, detail: 'manager', error: done.error }
      if (step) {
        step.error = undefined
        yield* attempt(step, replaceResource(deps, type, h.id, body(type, without), req))
      }
      steps.push(missing)
    } else if (!step && done.error) steps.push(done)
  }
  for (const h of histories) {
    if (h.type !== 'Group' || h.members.size === 0) continue
    const type = typeOf(h)!
    if (!dryRun && !(yield* deps.store.get(type, h.id))) continue
    const now = new Set((yield* deps.store.members(h.id)).map((m) => m.value))
    const add: string[] = []
    const remove: string[] = []
    for (const [member, was] of h.members) {
      // A member whose own restore failed is left out, so the others still go back.
      if (was.present && !now.has(member) && (dryRun || (yield* exists(was.type, member)))) add.push(member)
      // A member created after T joined after T too, and stays: only what existed at T goes back.
      if (!was.present && now.has(member) && all.get(member)?.existed !== false) remove.push(member)
    }
    if (add.length === 0 && remove.length === 0) continue
    const step: RestoreStep = {
      action: 'members',
      type: h.type,
      id: h.id,
      detail: `${add.length} re-added, ${remove.length} removed`,
    }
    const ops = [
      ...(add.length > 0 ? [{ op: 'add', path: 'members', value: add.map((value) => ({ value })) }] : []),
      ...(remove.length > 0 ? [{ op: 'remove', path: 'members', value: remove.map((value) => ({ value })) }] : []),
    ]
    if (!dryRun)
      yield* attempt(step, patchResource(deps, type, h.id, { schemas: [URN_PATCH_OP], Operations: ops }, req))
    steps.push(step)
  }
  return steps
}

function nameOf(doc: Doc): string {
  const name = doc.userName ?? doc.displayName
  return typeof name === 'string' ? name : ''
}
