// Microsoft Entra's request bodies in both PATCH dialects: default and `?aadOptscim062020` (entra-wire §2.1).
import {
  MANAGER_PATH,
  URN_ENTERPRISE,
  URN_GROUP,
  URN_LEGACY_MS_GROUP,
  URN_USER,
  type PatchOperation,
  type ScimObject,
} from './wire'

export type Dialect = 'default' | 'aadOptscim062020'

export const DIALECTS: readonly Dialect[] = ['default', 'aadOptscim062020']

/** Case-insensitive key lookup (RFC 7643 §2.1: attribute names are case-insensitive). */
export function getKey(obj: unknown, key: string): unknown {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return undefined
  const rec = obj as ScimObject
  if (key in rec) return rec[key]
  const lower = key.toLowerCase()
  for (const k of Object.keys(rec)) if (k.toLowerCase() === lower) return rec[k]
  return undefined
}

/**
 * Completes a `POST /Users` body the way Entra does (entra-wire §1.3): the work email marked
 * primary, the enterprise URN in `schemas` when enterprise attributes or a manager mapping are
 * present (vendor URNs are left out), plus `meta.resourceType` and `roles: []`. Mutates `body`.
 */
export function finishUserBody(body: ScimObject, managerMapped: boolean): ScimObject {
  const schemas = [URN_USER]
  body.schemas = schemas
  const emails = getKey(body, 'emails')
  if (Array.isArray(emails)) {
    for (const e of emails as ScimObject[]) {
      if (String(getKey(e, 'type')).toLowerCase() === 'work') e.primary = true
    }
  }
  if (getKey(body, URN_ENTERPRISE) !== undefined || managerMapped) schemas.push(URN_ENTERPRISE)
  body.meta = { resourceType: 'User' }
  body.roles = []
  return body
}

/** The `POST /Groups` body (entra-wire §1.11): legacy schema URI, empty `members`, meta. */
export function groupBody(attributes: ScimObject): ScimObject {
  return { schemas: [URN_GROUP, URN_LEGACY_MS_GROUP], ...attributes, members: [], meta: { resourceType: 'Group' } }
}

/** Op names: capitalised in the default dialect (`"Replace"`), lowercase with the flag. */
export function opName(name: 'add' | 'replace' | 'remove', dialect: Dialect): string {
  return dialect === 'default' ? name[0]!.toUpperCase() + name.slice(1) : name
}

/** A filtered value path such as `emails[type eq "work"].value` (never an extension URN path). */
function isValuePath(path: string): boolean {
  return !/^urn:/i.test(path) && path.includes('[')
}

/**
 * PATCH operations writing attribute values (entra-wire §2.1 "Replace multiple attributes").
 * `default`: one capitalised op per attribute, URN paths for extensions. `aadOptscim062020`:
 * filtered value paths as their own lowercase ops, everything else folded into one path-less
 * `replace` whose value object uses dotted / URN keys.
 */
export function writeOps(
  values: ReadonlyArray<readonly [path: string, value: unknown]>,
  dialect: Dialect,
  name: 'add' | 'replace' = 'replace'
): PatchOperation[] {
  const ops: PatchOperation[] = []
  const folded: ScimObject = {}
  for (const [path, value] of values) {
    if (dialect === 'default' || isValuePath(path)) ops.push({ op: opName(name, dialect), path, value })
    else folded[path] = value
  }
  if (Object.keys(folded).length > 0) ops.push({ op: 'replace', value: folded })
  return ops
}

/** Disable / re-enable (entra-wire §1.7): `"False"`/`"True"` strings by default, booleans with the flag. */
export function activeOp(active: boolean, dialect: Dialect): PatchOperation {
  return dialect === 'default'
    ? { op: 'Replace', path: 'active', value: active ? 'True' : 'False' }
    : { op: 'replace', path: 'active', value: active }
}

/** Manager link (entra-wire §1.8): the manager's id as a bare string on the enterprise URN path. */
export function managerOp(managerId: string, dialect: Dialect, name: 'add' | 'replace' = 'add'): PatchOperation {
  return { op: opName(name, dialect), path: MANAGER_PATH, value: managerId }
}

/** Member adds, one operation per id (entra-wire §1.11); the default dialect carries `"$ref": null`. */
export function addMemberOps(ids: readonly string[], dialect: Dialect): PatchOperation[] {
  return ids.map((id) =>
    dialect === 'default'
      ? { op: 'Add', path: 'members', value: [{ $ref: null, value: id }] }
      : { op: 'add', path: 'members', value: [{ value: id }] }
  )
}

/** Member removal (entra-wire §2.1/§1.11): value list by default, value-filter path with the flag. */
export function removeMemberOps(ids: readonly string[], dialect: Dialect): PatchOperation[] {
  return ids.map((id) =>
    dialect === 'default'
      ? { op: 'Remove', path: 'members', value: [{ value: id }] }
      : { op: 'remove', path: `members[value eq "${id}"]` }
  )
}
