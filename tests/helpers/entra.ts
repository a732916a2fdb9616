// Builds the requests Microsoft Entra provisioning sends, from a vendor pack's attribute-mapping
// rows (the tutorial tables), and reads mapped values back out of returned resources.
// Wire shapes follow entra-wire.md §1.3, §1.6–1.8, §1.11 and §2.1.

// The wire shapes themselves live in src/selftest, shared with `scim-server selftest`.
import { finishUserBody, getKey, groupBody, writeOps, type Dialect } from '../../src/selftest/entra'
import { MANAGER_PATH, URN_LIST_RESPONSE, type PatchOperation, type ScimObject } from '../../src/selftest/wire'

export {
  MANAGER_PATH,
  URN_ENTERPRISE,
  URN_ERROR,
  URN_GROUP,
  URN_LEGACY_MS_GROUP,
  URN_LIST_RESPONSE,
  URN_PATCH_OP,
  URN_USER,
  filterQuery,
  patchBody,
  type PatchBody,
  type PatchOperation,
  type ScimObject,
} from '../../src/selftest/wire'
export { activeOp, addMemberOps, getKey, managerOp, removeMemberOps, type Dialect } from '../../src/selftest/entra'

/** One row of a tutorial's attribute-mapping table, as copied into a pack's `mapping`. */
export interface MappingRow {
  path: string
  type: string
  filter?: boolean
}

export interface Mapping {
  User: readonly MappingRow[]
  Group?: readonly MappingRow[]
}

/** A vendor pack as the lifecycle needs it: a name for messages and the mapping tables. */
export interface AppPack {
  name: string
  mapping: Mapping
}

/** A mapping path split into where it lives in the JSON document. */
export type ParsedPath =
  | { kind: 'ext'; urn: string; attr: string }
  | { kind: 'core'; attr: string; sub?: string; filter?: { attr: string; value: string } }

const CORE_PATH = /^([A-Za-z$][\w$-]*)(?:\[\s*([A-Za-z$][\w$-]*)\s+eq\s+"([^"]*)"\s*\])?(?:\.([A-Za-z$][\w$-]*))?$/i

/**
 * Parses a mapping path: `userName`, `name.givenName`, `emails[type eq "work"].value`, or an
 * extension path `urn:…:2.0:User:department` whose URN is everything before the last colon.
 */
export function parsePath(path: string): ParsedPath {
  if (/^urn:/i.test(path)) {
    const cut = path.lastIndexOf(':')
    return { kind: 'ext', urn: path.slice(0, cut), attr: path.slice(cut + 1) }
  }
  const m = CORE_PATH.exec(path.trim())
  if (!m) throw new Error(`unsupported mapping path: ${path}`)
  const [, attr, fAttr, fValue, sub] = m
  return {
    kind: 'core',
    attr: attr!,
    sub,
    filter: fAttr !== undefined ? { attr: fAttr, value: fValue ?? '' } : undefined,
  }
}

/** The existing key spelling for `key` in `obj`, or `key` itself when absent. */
function keyIn(obj: ScimObject, key: string): string {
  const lower = key.toLowerCase()
  return Object.keys(obj).find((k) => k.toLowerCase() === lower) ?? key
}

function sameText(a: unknown, b: string): boolean {
  return typeof a === 'string' && a.toLowerCase() === b.toLowerCase()
}

/** Reads the value at a mapping path from a returned resource (`undefined` when absent). */
export function readPath(resource: unknown, path: string): unknown {
  const p = parsePath(path)
  if (p.kind === 'ext') return getKey(getKey(resource, p.urn), p.attr)
  const top = getKey(resource, p.attr)
  if (p.filter) {
    if (!Array.isArray(top)) return undefined
    const f = p.filter
    const el = top.find((e) => sameText(getKey(e, f.attr), f.value))
    return p.sub ? getKey(el, p.sub) : el
  }
  return p.sub ? getKey(top, p.sub) : top
}

/** The manager id stored under the enterprise extension (`manager.value`). */
export function readManagerId(resource: unknown): unknown {
  const m = readPath(resource, MANAGER_PATH)
  return m !== null && typeof m === 'object' ? getKey(m, 'value') : m
}

/**
 * Writes `value` at a mapping path into `doc` (mutating it), creating containers and the
 * `[type eq "…"]` element when missing; used to build create bodies and expected resources.
 */
export function setPath(doc: ScimObject, path: string, value: unknown): void {
  const p = parsePath(path)
  if (p.kind === 'ext') {
    const k = keyIn(doc, p.urn)
    const ext = (doc[k] ??= {}) as ScimObject
    ext[keyIn(ext, p.attr)] = value
    return
  }
  const k = keyIn(doc, p.attr)
  if (p.filter) {
    const list = (Array.isArray(doc[k]) ? doc[k] : (doc[k] = [])) as ScimObject[]
    const f = p.filter
    let el = list.find((e) => sameText(getKey(e, f.attr), f.value))
    if (!el) list.push((el = { [f.attr]: f.value }))
    if (p.sub) el[keyIn(el, p.sub)] = value
    return
  }
  if (p.sub) {
    const parent = (doc[k] ??= {}) as ScimObject
    parent[keyIn(parent, p.sub)] = value
    return
  }
  doc[k] = value
}

/** Row kinds the lifecycle treats specially rather than as plain writable values. */
export function isActive(row: MappingRow): boolean {
  return row.path.toLowerCase() === 'active'
}
export function isManager(row: MappingRow): boolean {
  return row.path.toLowerCase() === MANAGER_PATH.toLowerCase()
}
export function isMembers(row: MappingRow): boolean {
  return row.path.toLowerCase() === 'members'
}

/** Rows carrying plain values that Entra writes on create and update. */
export function valueRows(rows: readonly MappingRow[]): MappingRow[] {
  return rows.filter((r) => !isActive(r) && !isManager(r) && !isMembers(r))
}

export function extensionUrns(rows: readonly MappingRow[]): string[] {
  const urns = new Set<string>()
  for (const r of valueRows(rows)) {
    const p = parsePath(r.path)
    if (p.kind === 'ext') urns.add(p.urn)
  }
  return [...urns]
}

// ---------------------------------------------------------------------------------------------
// Test values

/** A run-unique tag so several lifecycles can share one server without colliding. */
export const RUN_ID = crypto.randomUUID().slice(0, 8)

let counter = 0

const LANGS = ['en-US', 'de-DE', 'fr-FR', 'es-ES', 'it-IT', 'nl-NL', 'sv-SE', 'pl-PL']
const LOCALES = ['en-GB', 'de-AT', 'fr-CA', 'es-MX', 'pt-BR', 'da-DK', 'fi-FI', 'nb-NO']
const ZONES = [
  'Europe/Berlin',
  'America/New_York',
  'Asia/Tokyo',
  'Europe/Paris',
  'America/Chicago',
  'Australia/Sydney',
  'Europe/Prague',
  'America/Denver',
]
const COUNTRIES = ['DE', 'US', 'FR', 'CZ', 'SE', 'NL', 'IT', 'ES']

/** Where a value is used: `seed` names app/dialect/object, `slot` numbers object × generation. */
export interface ValueContext {
  seed: string
  slot: number
}

function slug(path: string): string {
  const p = parsePath(path)
  const parts = p.kind === 'ext' ? [p.attr] : [p.attr, p.filter?.value, p.sub]
  return parts
    .filter(Boolean)
    .join('-')
    .replace(/[^A-Za-z0-9-]/g, '')
    .toLowerCase()
}

/**
 * A realistic value for one mapped attribute, distinct per attribute and per context. The
 * global counter makes every string value unique within the process.
 */
export function valueFor(row: MappingRow, ctx: ValueContext): unknown {
  const n = ++counter
  const name = slug(row.path)
  const leaf = name.split('-').pop() ?? name
  if (row.type.toLowerCase() === 'boolean') return true
  if (/^(preferredlanguage)$/.test(leaf)) return LANGS[ctx.slot % LANGS.length]
  if (leaf === 'locale') return LOCALES[ctx.slot % LOCALES.length]
  if (leaf === 'timezone') return ZONES[ctx.slot % ZONES.length]
  if (leaf === 'country') return COUNTRIES[ctx.slot % COUNTRIES.length]
  if (/^(username|email\d*|value)$/.test(leaf) && /user(name)?$|email|emails/.test(name)) {
    return `${name}.${ctx.seed}.${n}@example.test`
  }
  if (/phone|fax|mobile/.test(name) && !/post_dial|postdial/.test(name)) {
    return `+1 555 ${String(n).padStart(7, '0')}`
  }
  if (/post_dial|postdial/.test(name)) return `,,${n}#`
  if (/postalcode|zipcode/.test(name)) return String(10000 + (n % 89999))
  return `${name} ${ctx.seed} ${n}`
}

/** Values for every plain-value row, keyed by the row's path. */
export function makeValues(rows: readonly MappingRow[], ctx: ValueContext): Map<string, unknown> {
  const values = new Map<string, unknown>()
  for (const r of valueRows(rows)) values.set(r.path, valueFor(r, ctx))
  return values
}

// ---------------------------------------------------------------------------------------------
// Request bodies

/**
 * The `POST /Users` body Entra sends (entra-wire §1.3): every mapped attribute, nested for dotted
 * paths, `[type eq "work"]` elements with `type`, extension attributes under their URN key, and
 * the envelope `finishUserBody` adds. `manager` is linked later by PATCH (§1.1 step 5).
 */
export function createUserBody(rows: readonly MappingRow[], values: Map<string, unknown>) {
  const body: ScimObject = { schemas: [] }
  for (const r of valueRows(rows)) setPath(body, r.path, values.get(r.path))
  if (rows.some(isActive)) body.active = true
  return finishUserBody(body, rows.some(isManager))
}

/** The `POST /Groups` body (entra-wire §1.11) for the mapped group attributes. */
export function createGroupBody(rows: readonly MappingRow[], values: Map<string, unknown>) {
  const attributes: ScimObject = {}
  for (const r of valueRows(rows)) setPath(attributes, r.path, values.get(r.path))
  return groupBody(attributes)
}

/** PATCH operations writing every plain-value row, in the dialect's shape (`writeOps`). */
export function patchOps(
  rows: readonly MappingRow[],
  values: Map<string, unknown>,
  dialect: Dialect,
  opName: 'add' | 'replace' = 'replace'
): PatchOperation[] {
  return writeOps(
    valueRows(rows).map((r) => [r.path, values.get(r.path)] as const),
    dialect,
    opName
  )
}

/** Order-insensitive, meta-free form of a resource, for "nothing else changed" checks. */
export function normalize(v: unknown, top = true): unknown {
  if (Array.isArray(v)) {
    const items = v.map((e) => normalize(e, false))
    return items.sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1))
  }
  if (v === null || typeof v !== 'object') return v
  const out: ScimObject = {}
  for (const k of Object.keys(v).sort()) {
    if (top && k === 'meta') continue
    out[k] = normalize((v as ScimObject)[k], false)
  }
  return out
}

/** What Test Connection's probe for an object that does not exist must get (entra-wire.md §1.2). */
export const EMPTY_LIST_RESPONSE = {
  schemas: [URN_LIST_RESPONSE],
  totalResults: 0,
  Resources: [],
  startIndex: 1,
  itemsPerPage: 0,
} as const
