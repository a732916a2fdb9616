// RFC 7644 §3.4.2.2 filter validation: binds every attribute path to the schema and checks op/value types.
import { parseDateTime } from '../datetime'
import { ScimError, quoted } from '../errors'
import { resolveAttrPath, type ResolvedAttr } from '../schema/registry'
import type { AttributeType, CompiledAttribute, ResourceType } from '../schema/types'
import type { AttrPath, CompareOp, CompValue, FilterNode } from './ast'
import { printAttrPath } from './attr-path'
import { assertNever } from './print'

export type { ResolvedAttr } from '../schema/registry'

/**
 * A filter whose every leaf is bound to the schema (RFC 7644 §3.4.2.2). Same shape as
 * `FilterNode`; `evaluate` and `filterToSql` accept only this, so an unknown attribute can never
 * reach storage.
 *
 * Leaves carry `attr`: at top level `{ attr, sub? }` names a top-level attribute and an optional
 * sub-attribute. Inside a `valuePath` leaves are relative to one element: `attr.attr` is the
 * sub-attribute of the valuePath's attribute and `attr.sub` is always undefined.
 * `compare.value` is normalised: dateTime → `Date#toISOString()`, boolean strings → booleans.
 */
export type ResolvedFilter =
  | { kind: 'and' | 'or'; left: ResolvedFilter; right: ResolvedFilter }
  | { kind: 'not'; expr: ResolvedFilter }
  | { kind: 'present'; path: AttrPath; attr: ResolvedAttr }
  | { kind: 'compare'; path: AttrPath; op: CompareOp; value: CompValue; attr: ResolvedAttr }
  /** `attr` is the complex attribute (multi- or single-valued) whose elements `filter` tests. */
  | { kind: 'valuePath'; path: AttrPath; attr: CompiledAttribute; filter: ResolvedFilter }

const ORDERING = new Set<CompareOp>(['gt', 'ge', 'lt', 'le'])
const SUBSTRING = new Set<CompareOp>(['co', 'sw', 'ew'])
const STRINGY = new Set<AttributeType>(['string', 'reference'])
// Shorter ISO-8601 forms a filter may use: a date alone, minutes without seconds, a space for T,
// a lower-case z, an offset without its colon. Date.parse alone accepts far too much ("1").
const LOOSE_DATE_TIME =
  /^(\d{4}-\d{2}-\d{2})(?:[Tt ](\d{2}:\d{2})(:\d{2}(?:\.\d+)?)?)?(?:([Zz])|([+-]\d{2}):?(\d{2}))?$/

/** The attribute a leaf finally tests: the sub-attribute when there is one. */
export function targetOf(r: ResolvedAttr): CompiledAttribute {
  return r.sub ?? r.attr
}

/**
 * Never-returned attributes (password) can be neither filtered nor sorted on: either would let a
 * client probe a value it is never shown (RFC 7643 §7 "returned").
 */
function isHidden(attr: CompiledAttribute): boolean {
  return attr.returned === 'never'
}

/** The attribute `path` names in `type`, or why it names none (a schema the type lacks, an unknown attribute). */
export function lookupAttribute(path: AttrPath, type: ResourceType): ResolvedAttr | string {
  if (path.uri !== undefined) {
    const uri = path.uri.toLowerCase()
    if (uri !== type.core.lowerId && !type.extensions.has(uri)) {
      // `urn:…:enterprise:2.0:User` alone parses as the schema `urn:…:enterprise:2.0` and the name `User`.
      const whole = `${path.uri}:${path.name}`
      if (path.sub === undefined && type.extensions.has(whole.toLowerCase()))
        return `${quoted(whole)} is an extension schema, not an attribute: name one of its attributes (${whole}:name)`
      return `${quoted(path.uri)} is not a schema of resource type ${type.name}`
    }
  }
  return (
    resolveAttrPath(type, path) ?? `unknown attribute ${quoted(printAttrPath(path))} for resource type ${type.name}`
  )
}

/**
 * Resolves one attribute path against a resource type, throwing `fail` (by default
 * `invalidFilter`) naming it when the schemas do not declare it or it is never returned. The one
 * rule for filters and for `sortBy` (RFC 7644 §3.4.2.3), which passes `invalidValue`.
 */
export function resolveAttribute(
  path: AttrPath,
  type: ResourceType,
  fail: (detail: string) => ScimError = ScimError.invalidFilter
): ResolvedAttr {
  const found = lookupAttribute(path, type)
  if (typeof found === 'string') throw fail(found)
  if (isHidden(found.attr) || (found.sub && isHidden(found.sub))) {
    throw fail(`attribute '${printAttrPath(path)}' is never returned, so it cannot be used in a filter or sortBy`)
  }
  return found
}

/** Fails unless `value` fits `attr`'s type; returns the normalised value. */
function checkValue(attr: CompiledAttribute, op: CompareOp, value: CompValue, shown: string): CompValue {
  if (value === null) {
    if (op === 'eq' || op === 'ne') return null
    throw ScimError.invalidFilter(`'${op}' cannot compare '${shown}' with null`)
  }
  const bad = (): never => {
    throw ScimError.invalidFilter(
      `${typeof value === 'string' ? quoted(value) : String(value)} is not a valid ${attr.type} value for '${shown}'`
    )
  }
  switch (attr.type) {
    case 'string':
    case 'reference':
    case 'binary':
      return typeof value === 'string' ? value : bad()
    case 'integer':
    case 'decimal':
      return typeof value === 'number' && Number.isFinite(value) ? value : bad()
    case 'boolean':
      if (typeof value === 'boolean') return value
      // Entra sends `roles[primary eq "True"]`: accept quoted booleans in any case.
      if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true'
      return bad()
    case 'dateTime':
      return typeof value === 'string' ? (normaliseDateTime(value) ?? bad()) : bad()
    case 'complex':
      return bad()
    default:
      return assertNever(attr.type)
  }
}

/**
 * ISO-8601 text → `toISOString()` form, or undefined when it names no real instant (2024-02-30 is
 * refused as it is in a document). A value without offset is UTC, not local time. The strict
 * reader takes the instant as stored values are read (instantOf), so `eq` on the exact stored
 * text matches; shorter forms are spelled out to the full form and read by the same reader.
 */
function normaliseDateTime(text: string): string | undefined {
  const m = LOOSE_DATE_TIME.exec(text)
  if (!m) return undefined
  const [, date, hoursMinutes = '00:00', seconds = ':00', z, offsetHours, offsetMinutes] = m
  const zone = z !== undefined ? 'Z' : offsetHours !== undefined ? `${offsetHours}:${offsetMinutes}` : ''
  const instant = parseDateTime(`${date}T${hoursMinutes}${seconds}${zone}`)
  return instant === undefined ? undefined : new Date(instant).toISOString()
}

/** Checks operator/type compatibility (RFC 7644 §3.4.2.2 operator table) and redirects complex → value. */
function resolveCompare(
  path: AttrPath,
  op: CompareOp,
  value: CompValue,
  bound: ResolvedAttr,
  raw?: string
): ResolvedFilter {
  const shown = printAttrPath(path)
  let attr = bound
  const target = targetOf(bound)
  if (target.type === 'complex') {
    if (ORDERING.has(op)) throw ScimError.invalidFilter(`'${op}' cannot order the complex attribute '${shown}'`)
    // RFC 7644 §3.4.2.2 examples: `emails co "example.com"` tests the `value` sub-attribute.
    const valueSub = target.sub.get('value')
    if (!valueSub || bound.sub)
      throw ScimError.invalidFilter(`the complex attribute '${shown}' cannot be compared directly`)
    attr = { attr: bound.attr, sub: valueSub }
  }
  const t = targetOf(attr)
  if (ORDERING.has(op) && (t.type === 'boolean' || t.type === 'binary')) {
    throw ScimError.invalidFilter(`'${op}' is not allowed on the ${t.type} attribute '${shown}'`)
  }
  if (SUBSTRING.has(op) && !STRINGY.has(t.type)) {
    throw ScimError.invalidFilter(`'${op}' is not allowed on the ${t.type} attribute '${shown}'`)
  }
  // Lenient like the parser: an unquoted number compared with a string attribute is its text.
  const written = raw !== undefined && STRINGY.has(t.type) ? raw : value
  return { kind: 'compare', path, op, value: checkValue(t, op, written, shown), attr }
}

/** Resolves a path inside `outer[...]`: a bare sub-attribute name of `outer`. */
function resolveInner(path: AttrPath, outer: CompiledAttribute): ResolvedAttr {
  const sub = path.uri === undefined && path.sub === undefined ? outer.sub.get(path.name.toLowerCase()) : undefined
  if (!sub) {
    throw ScimError.invalidFilter(`${quoted(printAttrPath(path))} is not a sub-attribute of '${outer.name}'`)
  }
  if (isHidden(sub))
    throw ScimError.invalidFilter(
      `attribute '${outer.name}.${sub.name}' is never returned, so it cannot be used in a filter`
    )
  return { attr: sub }
}

function resolveNode(
  node: FilterNode,
  bind: (path: AttrPath) => ResolvedAttr,
  type: ResourceType | undefined
): ResolvedFilter {
  switch (node.kind) {
    case 'and':
    case 'or':
      return { kind: node.kind, left: resolveNode(node.left, bind, type), right: resolveNode(node.right, bind, type) }
    case 'not':
      return { kind: 'not', expr: resolveNode(node.expr, bind, type) }
    case 'present':
      return { kind: 'present', path: node.path, attr: bind(node.path) }
    case 'compare':
      return resolveCompare(node.path, node.op, node.value, bind(node.path), node.raw)
    case 'valuePath': {
      // The parser only builds valuePaths at top level, so `type` is set here.
      if (!type) throw ScimError.invalidFilter(`nested value filter on ${quoted(printAttrPath(node.path))}`)
      const outer = bind(node.path)
      if (outer.sub || outer.attr.type !== 'complex') {
        throw ScimError.invalidFilter(
          `${quoted(printAttrPath(node.path))} is not a complex attribute, so it cannot take a [filter]`
        )
      }
      return {
        kind: 'valuePath',
        path: node.path,
        attr: outer.attr,
        filter: resolveValueFilter(node.filter, outer.attr),
      }
    }
    default:
      return assertNever(node)
  }
}

/**
 * Binds a parsed filter to `type`'s schemas (RFC 7644 §3.4.2.2). Throws `invalidFilter` for an
 * undeclared attribute or URN, an operator the attribute type does not allow, or a value of the
 * wrong type.
 * @example resolveFilter(parseFilter('emails[type eq "work"] and active eq "True"'), userType)
 */
export function resolveFilter(node: FilterNode, type: ResourceType): ResolvedFilter {
  return resolveNode(node, (path) => resolveAttribute(path, type), type)
}

/**
 * Binds the inside of `outer[...]` (a valuePath, or a PATCH path filter, RFC 7644 §3.5.2): every
 * path names a sub-attribute of `outer`. The result is what `matchesElement` evaluates.
 */
export function resolveValueFilter(filter: FilterNode, outer: CompiledAttribute): ResolvedFilter {
  return resolveNode(filter, (path) => resolveInner(path, outer), undefined)
}
