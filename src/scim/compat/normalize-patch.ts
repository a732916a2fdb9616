// RFC 7644 §3.5.2 PatchOp envelope validation and the IdP quirks of the envelope (op case, path, $ref).
import { URN_PATCH_OP } from '../constants'
import { ScimError, quoted } from '../errors'
import { parsePatchPath } from '../path/parse'
import { isObject, keyIn } from '../document'
import { checkPatchOperations, DEFAULT_LIMITS, type Limits } from '../limits'
import type { PatchOperation } from '../patch/types'
import { dropNullRefs } from './entra'
import type { CompatSink } from './rules'

export type { PatchOperation } from '../patch/types'
export type { CompatSink } from './rules'

const OPS = new Set(['add', 'remove', 'replace'])

const hasNullRef = (v: unknown) => (Array.isArray(v) ? v : [v]).some((o) => isObject(o) && o.$ref === null)

/** Reads a member case-insensitively: `Operations`/`operations`, `op`/`Op` (RFC 7643 §2.1 spirit). */
function field(obj: Record<string, unknown>, name: string): { present: boolean; value: unknown } {
  const key = keyIn(obj, name)
  return { present: Object.hasOwn(obj, key), value: obj[key] }
}

function checkSchemas(body: Record<string, unknown>, fired?: CompatSink): void {
  const { present, value } = field(body, 'schemas')
  // Lenient when absent (some clients omit it); a present list must name the PatchOp URN, since
  // anything else means the client sent the wrong kind of message (e.g. a whole resource).
  if (!present) return fired?.('schemas-missing')
  const ok =
    Array.isArray(value) && value.some((s) => typeof s === 'string' && s.toLowerCase() === URN_PATCH_OP.toLowerCase())
  if (!ok) throw ScimError.invalidSyntax(`PATCH body 'schemas' must contain "${URN_PATCH_OP}"`)
}

function fail(index: number, detail: string): ScimError {
  return ScimError.invalidSyntax(`operation ${index}: ${detail}`)
}

function parsePath(index: number, op: string, raw: string): PatchOperation['path'] {
  try {
    return parsePatchPath(raw)
  } catch (err) {
    if (err instanceof ScimError) {
      throw new ScimError(err.status, `operation ${index} (${op} ${quoted(raw)}): ${err.detail}`, err.scimType)
    }
    throw err
  }
}

/**
 * Normalises one raw operation: op name, parsed path, null `$ref`s removed from the value. What a
 * value means (echoed readOnly keys, path keys, value-path creation) is applyPatch's to decide.
 */
function normalizeOne(raw: unknown, index: number, fired?: CompatSink): PatchOperation {
  if (!isObject(raw)) throw fail(index, 'must be an object')
  const opField = field(raw, 'op').value
  // Entra's default dialect capitalises op names: "Add", "Replace", "Remove" (entra-wire.md §2.2 Q1).
  const op = typeof opField === 'string' ? opField.trim().toLowerCase() : undefined
  if (op === undefined || !OPS.has(op))
    throw fail(
      index,
      `unknown op ${typeof opField === 'string' ? quoted(opField) : JSON.stringify(opField ?? null).slice(0, 80)}; expected add, remove or replace`
    )
  const kind = op as PatchOperation['op']
  if (opField !== op) fired?.('op-case')
  const path = field(raw, 'path')
  if (path.value !== undefined && path.value !== null && typeof path.value !== 'string')
    throw fail(index, "'path' must be a string")
  const rawPath = typeof path.value === 'string' && path.value.trim() !== '' ? path.value : undefined
  if (path.present && rawPath === undefined) fired?.('empty-path')
  const valueField = field(raw, 'value')
  if (kind !== 'remove' && !valueField.present) throw fail(index, `'${kind}' requires a 'value'`)

  const value = dropNullRefs(valueField.value)
  if (hasNullRef(valueField.value)) fired?.('null-ref')
  if (rawPath !== undefined) {
    const out: PatchOperation = { op: kind, path: parsePath(index, kind, rawPath), index, rawPath }
    if (valueField.present) out.value = value
    return out
  }
  // A pathless value's keys (dotted, URN-qualified, value paths, echoed readOnly ones) are resolved
  // by applyPatch, with the same key resolver POST and PUT bodies use (src/scim/schema/resolve-key.ts).
  const out: PatchOperation = { op: kind, index }
  if (valueField.present) out.value = value
  return out
}

/**
 * Validates a PatchOp body (RFC 7644 §3.5.2) and returns its operations in a canonical form:
 * lower-case op names, parsed paths, envelope quirks removed and told to `fired`. Throws
 * `invalidSyntax` for a bad envelope or operation and `invalidPath` for an unparsable path, both
 * naming the operation index, and `invalidValue` for more operations than `limits` allow.
 * @example normalizePatchRequest({ schemas: [URN_PATCH_OP], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] })
 */
export function normalizePatchRequest(
  body: unknown,
  fired?: CompatSink,
  limits: Limits = DEFAULT_LIMITS
): PatchOperation[] {
  if (!isObject(body)) throw ScimError.invalidSyntax('PATCH body must be a JSON object')
  checkSchemas(body, fired)
  const ops = field(body, 'Operations').value
  if (!Array.isArray(ops) || ops.length === 0) {
    throw ScimError.invalidSyntax("PATCH body must have a non-empty 'Operations' array")
  }
  checkPatchOperations(ops.length, limits)
  return ops.map((raw, i) => normalizeOne(raw, i, fired))
}
