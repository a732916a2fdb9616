// RFC 7644 §3.5.2 PATCH: applies normalised operations to a stored document, all or nothing.
import { ScimError } from '../errors'
import type { PatchPath } from '../filter/ast'
import { parseAttrPath } from '../filter/attr-path'
import { isObject, type Doc } from '../document'
import { deepEqual } from '../schema/coerce'
import type { ResourceType } from '../schema/types'
import { isClear } from './doc'
import { memberOps, type MemberOp } from './members'
import { removeAttr, removeExtension } from './remove'
import { resolveTarget, type Target } from './target'
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

// readOnly echoes in a pathless value are ignored like on POST (coerce.ts): Okta and others send
// whole resources. A *path* naming them is still `mutability`.
const PATHLESS_IGNORED = new Set(['id', 'meta', 'schemas'])

class Patcher {
  readonly memberOps: MemberOp[] = []

  constructor(
    readonly type: ResourceType,
    readonly doc: Doc
  ) {}

  run(op: PatchOperation): void {
    if (op.path) return this.atPath(op.op, op.path, op.value, Object.hasOwn(op, 'value'), op.rawPath ?? '')
    // RFC 7644 §3.5.2.2: "If 'path' is unspecified, the operation fails with … 'noTarget'".
    if (op.op === 'remove') throw ScimError.noTarget('remove requires a path')
    if (!isObject(op.value)) throw ScimError.invalidValue(`a ${op.op} without path needs an object of attributes as value`)
    for (const [key, value] of Object.entries(op.value)) this.pathless(op.op, key, value)
  }

  private pathless(op: 'add' | 'replace', key: string, value: unknown): void {
    if (PATHLESS_IGNORED.has(key.toLowerCase())) return
    const path = parseAttrPath(key)
    if (!path) {
      // Not even a valid attribute name: undeclared, stored as sent (coerce.ts header).
      if (isClear(value)) delete this.doc[key]
      else this.doc[key] = value
      return
    }
    const t = resolveTarget(this.type, this.doc, { path }, value, key)
    if (t.kind === 'attr' && t.attr?.mutability === 'readOnly' && t.sub === undefined) return // `groups` echo
    this.apply(op, t, value, true)
  }

  private atPath(op: PatchOperation['op'], path: PatchPath, value: unknown, hasValue: boolean, raw: string): void {
    const { uri, name, sub } = path.path
    // A path that is exactly the core schema URN addresses the resource itself, like no path.
    if (uri !== undefined && sub === undefined && !path.filter && `${uri}:${name}`.toLowerCase() === this.type.core.lowerId) {
      return this.run({ op, value, index: 0 } as PatchOperation)
    }
    this.apply(op, resolveTarget(this.type, this.doc, path, value, raw), value, hasValue)
  }

  private apply(op: PatchOperation['op'], t: Target, value: unknown, hasValue: boolean): void {
    switch (t.kind) {
      case 'members':
        this.memberOps.push(...memberOps(op, t, value, hasValue))
        return
      case 'extension':
        if (op === 'remove') removeExtension(this.doc, t)
        else writeExtension(op, this.doc, t, value)
        return
      case 'attr':
        if (op === 'remove') removeAttr(this.doc, t, value, hasValue)
        else writeAttr(op, this.doc, t, value)
        return
    }
  }
}

/** Prefixes an error with the operation it came from: `operation 2 (remove "members[…]"): …`. */
function located(err: ScimError, op: PatchOperation): ScimError {
  const where = op.rawPath !== undefined ? `${op.op} "${op.rawPath}"` : op.op
  return new ScimError(err.status, `operation ${op.index} (${where}): ${err.detail}`, err.scimType, { cause: err })
}

/**
 * Applies PATCH operations (RFC 7644 §3.5.2) to a copy of `doc`. All or nothing: the first failing
 * operation throws a ScimError naming its index and path, and `doc` is never modified. Group
 * `members` changes come back as `memberOps`, never in the document.
 * @example applyPatch(userType, doc, normalizePatchRequest(body))
 */
export function applyPatch(type: ResourceType, doc: Doc, ops: readonly PatchOperation[]): PatchResult {
  const patcher = new Patcher(type, structuredClone(doc))
  for (const op of ops) {
    try {
      patcher.run(op)
    } catch (err) {
      throw err instanceof ScimError ? located(err, op) : err
    }
  }
  const changed = patcher.memberOps.length > 0 || !deepEqual(doc, patcher.doc)
  return { doc: patcher.doc, changed, memberOps: patcher.memberOps }
}
