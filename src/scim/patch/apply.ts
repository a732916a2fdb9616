// RFC 7644 §3.5.2 PATCH: applies normalised operations to a stored document, all or nothing.
import { reportKey, reportTarget } from '../compat/keys'
import { isEchoedKey } from '../compat/okta'
import type { CompatSink } from '../compat/rules'
import { ScimError, quoted } from '../errors'
import { deepEqual, isObject, type Doc } from '../document'
import { mutableCopy } from '../document-text'
import { DEFAULT_LIMITS, ElementBudget } from '../limits'
import { checkRequired } from '../schema/required'
import { settleElements } from '../schema/settle-elements'
import { givenTwice } from '../schema/coerce-value'
import { resolveKey, resolvePath, type Target } from '../schema/resolve-key'
import type { ResourceType } from '../schema/types'
import { memberOps, type MemberOp } from './members'
import { removeAttr, removeExtension } from './remove'
import type { PatchOperation } from './types'
import { writeAttr, writeExtension } from './write'

export type { MemberOp } from './members'
export type { PatchOperation } from './types'

export interface PatchResult {
  doc: Doc
  /** False when the document is unchanged and there are no member operations (→ 204 vs 200). */
  changed: boolean
  /** Group membership changes in request order; never written into `doc`. */
  memberOps: MemberOp[]
}

/** The number of elements of every multi-valued attribute in `holder`: what an operation on it reads. */
function elementCount(holder: unknown): number {
  if (!isObject(holder)) return 0
  let n = 0
  for (const v of Object.values(holder)) if (Array.isArray(v)) n += v.length
  return n
}

class Patcher {
  readonly memberOps: MemberOp[] = []
  /** Core attribute names and extension URNs the current operation changed (checkRequired's `only`). */
  readonly touched = new Set<string>()

  constructor(
    readonly type: ResourceType,
    readonly doc: Doc,
    readonly budget: ElementBudget,
    readonly fired?: CompatSink
  ) {}

  run(op: PatchOperation): void {
    if (op.path) {
      const t = resolvePath(this.type, this.doc, op.path, op.value, op.rawPath ?? '')
      reportTarget(op.path.path.uri !== undefined, t, op.op === 'remove' ? undefined : op.value, this.fired)
      return this.apply(op.op, t, op.value, Object.hasOwn(op, 'value'))
    }
    // RFC 7644 §3.5.2.2: "If 'path' is unspecified, the operation fails with … 'noTarget'".
    if (op.op === 'remove') throw ScimError.noTarget('remove requires a path')
    this.pathless(op.op, op.value)
  }

  /**
   * RFC 7644 §3.5.2.1/§3.5.2.3 without a path: each key of the value is resolved like a body key
   * (dotted and URN keys, entra-wire.md §2.1; value paths; the core URN), then applied as that path.
   */
  private pathless(op: 'add' | 'replace', value: unknown): void {
    if (!isObject(value)) throw ScimError.invalidValue(`a ${op} without path needs an object of attributes as value`)
    // Keys differing only in case name one attribute (RFC 7643 §2.1): applied in turn, the last won.
    const given = new Map<string, unknown>()
    for (const [key, v] of Object.entries(value)) {
      const lower = key.toLowerCase()
      if (given.has(lower) && !deepEqual(given.get(lower), v)) throw givenTwice(key)
      given.set(lower, v)
    }
    for (const [key, v] of Object.entries(value)) {
      // readOnly echoes (Okta's `id`, whole resources' `meta`, `groups`) are ignored, as on POST
      // (coerce.ts); a *path* naming them is still `mutability`.
      if (isEchoedKey(key)) {
        this.fired?.('echoed-read-only')
        continue
      }
      const t = resolveKey(this.type, this.doc, key, v)
      if (t.kind === 'attr' && t.attr?.mutability === 'readOnly' && t.sub === undefined) {
        this.fired?.('echoed-read-only')
        continue
      }
      reportKey(key, t, v, this.fired)
      this.apply(op, t, v, true)
    }
  }

  private apply(op: PatchOperation['op'], t: Target, value: unknown, hasValue: boolean): void {
    switch (t.kind) {
      case 'core':
        // The core schema URN addresses the resource itself, like no path.
        if (op === 'remove') throw ScimError.noTarget('remove requires a path')
        return this.pathless(op, value)
      case 'members':
        // The store spends the budget on the members a filter is tested against.
        this.memberOps.push(...memberOps(op, t, value, hasValue, this.budget, this.fired))
        return
      case 'extension':
        this.touched.add(t.urnKey)
        this.budget.spend(elementCount(this.doc[t.urnKey]))
        if (op === 'remove') removeExtension(this.doc, t)
        else writeExtension(op, this.doc, t, value, this.fired)
        return
      case 'attr': {
        const holder = t.holderKey === undefined ? this.doc : this.doc[t.holderKey]
        this.touched.add(t.holderKey ?? t.attr?.name ?? t.key)
        // Every write or removal on a multi-valued attribute reads all of its elements.
        const stored = isObject(holder) && t.attr?.multiValued ? holder[t.attr.name] : undefined
        if (Array.isArray(stored)) this.budget.spend(stored.length)
        if (op === 'remove') removeAttr(this.doc, t, value, hasValue, this.fired)
        else writeAttr(op, this.doc, t, value, this.fired)
        return
      }
    }
  }
}

/** Prefixes an error with the operation it came from: `operation 2 (remove "members[…]"): …`. */
function located(err: ScimError, op: PatchOperation): ScimError {
  const where = op.rawPath !== undefined ? `${op.op} ${quoted(op.rawPath)}` : op.op
  return new ScimError(err.status, `operation ${op.index} (${where}): ${err.detail}`, err.scimType, { cause: err })
}

/**
 * Applies PATCH operations (RFC 7644 §3.5.2) to a copy of `doc`. All or nothing: the first failing
 * operation throws a ScimError naming its index and path, and `doc` is never modified. Group
 * `members` changes come back as `memberOps`, never in the document. Each IdP leniency applied is
 * told to `fired` (src/scim/compat/rules.ts). The operations together may visit at most what is
 * left of `budget` (the request's `maxPatchElements`) of multi-valued attributes (400 invalidValue).
 * @example applyPatch(userType, doc, normalizePatchRequest(body, fired), fired)
 */
export function applyPatch(
  type: ResourceType,
  doc: Doc,
  ops: readonly PatchOperation[],
  fired?: CompatSink,
  budget: ElementBudget = new ElementBudget(DEFAULT_LIMITS)
): PatchResult {
  const patcher = new Patcher(type, mutableCopy(doc), budget, fired)
  /** Every core attribute and extension any operation changed. */
  const touched = new Set<string>()
  ops.forEach((op, i) => {
    try {
      patcher.touched.clear()
      patcher.run(op)
      for (const key of patcher.touched) touched.add(key)
      // Each operation must leave a valid resource (RFC 7644 §3.5.2), so the error names the one
      // that did not. After the first, the rest of the document passed already: only what the
      // operation changed is checked again, so n operations cost n small checks, not n whole ones.
      checkRequired(type, patcher.doc, i === 0 ? undefined : patcher.touched)
    } catch (err) {
      throw err instanceof ScimError ? located(err, op) : err
    }
  })
  // Only the final document tells an element emptied for good from one an operation fills again.
  if (settleElements(type, patcher.doc, touched)) checkRequired(type, patcher.doc, touched)
  const changed = patcher.memberOps.length > 0 || !deepEqual(doc, patcher.doc)
  return { doc: patcher.doc, changed, memberOps: patcher.memberOps }
}
