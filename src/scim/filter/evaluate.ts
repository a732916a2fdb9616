// RFC 7644 §3.4.2.2 filter semantics in memory: the query oracle and the PATCH element selector (§3.5.2).
import { foldCase } from '../case-fold'
import { instantOf } from '../datetime'
import type { CompiledAttribute } from '../schema/types'
import type { CompareOp, CompValue } from './ast'
import { assertNever } from './print'
import { targetOf, type ResolvedAttr, type ResolvedFilter } from './resolve'

/**
 * The values a leaf tests, in one scope. A multi-valued attribute yields one value per element
 * (RFC 7644 §3.4.2.2: "matches if any of the values … match"). No values at all is reported as a
 * single `undefined`, so missing attributes and empty arrays follow the same rule as missing
 * sub-attributes: `eq`/`co`/`gt`/`pr`… are false, `ne` is true.
 */
type Scope = (ra: ResolvedAttr) => unknown[]

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** Property by canonical name; falls back to a case-insensitive match (RFC 7643 §2.1) for non-canonical input. */
function getKey(holder: unknown, name: string): unknown {
  if (!isObject(holder)) return undefined
  if (Object.hasOwn(holder, name)) return holder[name]
  const lower = name.toLowerCase()
  for (const key of Object.keys(holder)) if (key.toLowerCase() === lower) return holder[key]
  return undefined
}

/** An attribute value as a list of elements: arrays spread for multi-valued attributes. */
function elementsOf(v: unknown, attr: CompiledAttribute): unknown[] {
  if (!attr.multiValued) return [v]
  if (Array.isArray(v)) return v
  return v === undefined || v === null ? [] : [v]
}

function valuesFrom(holder: unknown, ra: ResolvedAttr): unknown[] {
  const elements = elementsOf(getKey(holder, ra.attr.name), ra.attr)
  const values = ra.sub ? elements.flatMap((e) => elementsOf(getKey(e, ra.sub!.name), ra.sub!)) : elements
  return values.length === 0 ? [undefined] : values
}

/** Top level: extension attributes live under their schema URN key. */
function resourceScope(resource: Record<string, unknown>): Scope {
  return (ra) => valuesFrom(ra.attr.inExtension ? getKey(resource, ra.attr.schema) : resource, ra)
}

/** RFC 7643 §2.5: unassigned, null, "" and [] are all "not present". */
export function isPresent(v: unknown): boolean {
  return v !== undefined && v !== null && v !== '' && !(Array.isArray(v) && v.length === 0)
}

function order(a: string | number, b: string | number, op: CompareOp): boolean {
  switch (op) {
    case 'eq':
      return a === b
    case 'ne':
      return a !== b
    case 'gt':
      return a > b
    case 'ge':
      return a >= b
    case 'lt':
      return a < b
    case 'le':
      return a <= b
    default:
      return false
  }
}

function compareString(actual: string, op: CompareOp, value: string, caseExact: boolean): boolean {
  const a = caseExact ? actual : foldCase(actual)
  const v = caseExact ? value : foldCase(value)
  if (op === 'co') return a.includes(v)
  if (op === 'sw') return a.startsWith(v)
  if (op === 'ew') return a.endsWith(v)
  // Lexical order by UTF-16 code unit; SQLite orders by UTF-8 bytes, which agrees on ASCII/BMP text.
  return order(a, v, op)
}

/** One value against one comparison; `attr` is the (already redirected) target attribute. */
function compareValue(actual: unknown, op: CompareOp, value: CompValue, attr: CompiledAttribute): boolean {
  // RFC 7643 §2.5: `eq null` means "not present", `ne null` means "present".
  if (value === null) return op === 'eq' ? !isPresent(actual) : isPresent(actual)
  // Gray zone (RFC 7644 is silent): `ne` on a missing attribute is TRUE here and in filter-sql.ts,
  // so `ne` stays the complement of `eq` for single-valued attributes.
  if (actual === undefined || actual === null) return op === 'ne'
  switch (attr.type) {
    case 'string':
    case 'reference':
    case 'binary':
      return typeof actual === 'string' && typeof value === 'string'
        ? compareString(actual, op, value, attr.caseExact)
        : op === 'ne'
    case 'integer':
    case 'decimal':
    case 'boolean':
      return typeof actual === typeof value ? order(actual as number, value as number, op) : op === 'ne'
    case 'dateTime': {
      // Instants, not text: "2011-05-13T04:42:34Z" equals "2011-05-13T04:42:34.000Z". Stored
      // text is read as SQL reads it (instantOf); `value` is the resolver's toISOString() form.
      const a = typeof actual === 'string' ? instantOf(actual) : undefined
      return a === undefined ? op === 'ne' : order(a, Date.parse(String(value)), op)
    }
    case 'complex':
      return false // the resolver redirects complex comparisons to `value`
    default:
      return assertNever(attr.type)
  }
}

function evalIn(node: ResolvedFilter, scope: Scope): boolean {
  switch (node.kind) {
    case 'and':
      return evalIn(node.left, scope) && evalIn(node.right, scope)
    case 'or':
      return evalIn(node.left, scope) || evalIn(node.right, scope)
    case 'not':
      return !evalIn(node.expr, scope)
    case 'present':
      return scope(node.attr).some(isPresent)
    case 'compare': {
      const target = targetOf(node.attr)
      return scope(node.attr).some((v) => compareValue(v, node.op, node.value, target))
    }
    case 'valuePath': {
      // One element must satisfy the whole inner filter; a single-valued complex is one element.
      const holder = scope({ attr: node.attr })
      return holder.some((e) => isObject(e) && evalIn(node.filter, elementScope(e)))
    }
    default:
      return assertNever(node)
  }
}

function elementScope(element: unknown): Scope {
  return (ra) => valuesFrom(element, ra)
}

/**
 * Whether a full SCIM resource (with `id`, `meta`, `members`/`groups`, extensions under their URN
 * keys) matches a resolved filter, with RFC 7644 §3.4.2.2 semantics.
 * @example evaluateFilter(resolveFilter(parseFilter('emails[type eq "work"]'), userType), user)
 */
export function evaluateFilter(node: ResolvedFilter, resource: Record<string, unknown>): boolean {
  return evalIn(node, resourceScope(resource))
}

/**
 * Whether one element of a multi-valued (or single-valued complex) attribute satisfies a value
 * filter, as PATCH needs to pick targets (RFC 7644 §3.5.2). `node` is the inner filter from
 * `resolveValueFilter`, or a whole `valuePath` node (its inner filter is used).
 */
export function matchesElement(node: ResolvedFilter, element: unknown): boolean {
  const inner = node.kind === 'valuePath' ? node.filter : node
  return isObject(element) && evalIn(inner, elementScope(element))
}
