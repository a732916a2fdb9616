// RFC 7644 §3.4.2.2 filters (resolved) → a Drizzle SQL where-clause over `resources`, plus §3.4.2.3 sort keys.
import { URN_GROUP, URN_USER } from '../scim/constants'
import { sql, type SQL } from 'drizzle-orm'
import { alias } from 'drizzle-orm/sqlite-core'
import { ScimError } from '../scim/errors'
import { assertNever } from '../scim/filter/print'
import { targetOf, type ResolvedAttr, type ResolvedFilter } from '../scim/filter/resolve'
import type { CompiledAttribute, ResourceType } from '../scim/schema/types'
import { memberDisplaySql, storageOf, type MemberField, type Membership } from './columns'
import { compareSql, instantSql, presentSql, type SqlValue } from './filter-sql-ops'
import { anyOf, checkMemberDisplayTerms, existsRow, type RowSet, type RowTest } from './filter-rows'
import { groupMembers, resources } from './tables'

/** The other side of a membership row, aliased so `"resources"` inside subqueries still means the outer row. */
const other = alias(resources, 'o')
/** One element of a json_each, as JSON; NULL for non-object elements so json_extract never sees bare text. */
const ELEMENT = sql`CASE WHEN e.type = 'object' THEN e.value END`

/** What a leaf tests: one value, or one value per row of `rows` (RFC "any value matches"). */
interface Target {
  attr: CompiledAttribute
  value: SqlValue
  rows?: RowSet
}

type Scope = (ra: ResolvedAttr) => Target

/** `$."urn:…:User"."manager"."value"`: labels always quoted, built from canonical names only. */
function jsonPath(labels: readonly string[]): string {
  for (const l of labels) if (l.includes('"')) throw new Error(`attribute name ${l} cannot appear in a JSON path`)
  return `$${labels.map((l) => `."${l}"`).join('')}`
}

function rootLabels(attr: CompiledAttribute): string[] {
  return attr.inExtension ? [attr.schema, attr.name] : [attr.name]
}

/** RFC 7644 §3.4.2.3: a multi-valued attribute sorts by its primary element, else its first. */
function elementOrder(attr: CompiledAttribute): SQL {
  if (!attr.sub.has('primary')) return sql`e.key`
  return sql`coalesce(json_extract(${ELEMENT}, ${'$."primary"'}), 0) DESC, e.key`
}

const plain = (expr: SQL): SqlValue => ({ expr, folded: false })

function membershipRows(m: Membership): RowSet {
  const self = m.self === 'group_id' ? groupMembers.groupId : groupMembers.memberId
  const otherId = m.self === 'group_id' ? groupMembers.memberId : groupMembers.groupId
  return {
    key: `members:${m.self}`,
    from: sql`${groupMembers} JOIN ${resources} AS o ON ${other.id} = ${otherId}`,
    where: sql`${self} = ${resources.id}`,
    order: sql`${groupMembers}.rowid`,
  }
}

function memberValue(m: Membership, field: MemberField | undefined, shown: string): SqlValue {
  const otherId = m.self === 'group_id' ? groupMembers.memberId : groupMembers.groupId
  if (field === undefined) throw ScimError.invalidFilter(`'${shown}' cannot be used in a filter`)
  if (typeof field === 'object') return plain(sql`${field.constant}`)
  switch (field) {
    case 'otherId':
      return plain(sql`${otherId}`)
    case 'memberType':
      return plain(sql`${groupMembers.memberType}`)
    case 'otherDisplay':
      return plain(sql.raw(memberDisplaySql('o')))
    default:
      return assertNever(field)
  }
}

/**
 * A resource's `schemas`, as rows: its core schema, then every URN key holding an extension
 * object (the same list render.ts writes).
 */
const SCHEMA_ROWS: RowSet = {
  key: 'schemas',
  from: sql`(SELECT CASE ${resources.type} WHEN 'Group' THEN ${URN_GROUP} ELSE ${URN_USER} END AS value
    UNION ALL SELECT key AS value FROM json_each(${resources.data}) WHERE type = 'object' AND key LIKE 'urn:%') e`,
  where: sql`1`,
  order: sql`1`,
}

/** A leaf in the `data` document: one JSON value, or one row per element of a multi-valued attribute. */
function documentTarget(ra: ResolvedAttr): Target {
  const attr = targetOf(ra)
  const labels = rootLabels(ra.attr)
  if (ra.attr.multiValued && ra.sub?.multiValued) {
    throw ScimError.invalidFilter(
      `'${attr.path}': multi-valued sub-attributes of multi-valued attributes cannot be filtered`
    )
  }
  if (ra.attr.multiValued) {
    const rows = {
      key: `each:${jsonPath(labels)}`,
      from: sql`json_each(${resources.data}, ${jsonPath(labels)}) e`,
      where: sql`1`,
      order: elementOrder(ra.attr),
    }
    const value = ra.sub ? sql`json_extract(${ELEMENT}, ${jsonPath([ra.sub.name])})` : sql`e.value`
    return { attr, rows, value: plain(value) }
  }
  const full = ra.sub ? [...labels, ra.sub.name] : labels
  if (ra.sub?.multiValued) {
    const rows = {
      key: `each:${jsonPath(full)}`,
      from: sql`json_each(${resources.data}, ${jsonPath(full)}) e`,
      where: sql`1`,
      order: sql`e.key`,
    }
    return { attr, rows, value: plain(sql`e.value`) }
  }
  return { attr, value: plain(sql`json_extract(${resources.data}, ${jsonPath(full)})`) }
}

/** A top-level leaf, by where columns.ts says its attribute is kept. */
function topTarget(ra: ResolvedAttr): Target {
  const attr = targetOf(ra)
  const storage = storageOf(ra.attr, ra.sub)
  switch (storage.kind) {
    case 'column':
      return { attr, value: { expr: sql`${storage.column}`, folded: storage.folded } }
    case 'etag':
      // The text render.ts etagOf serves for the row's version.
      return { attr, value: plain(sql`('W/"' || ${storage.column} || '"')`) }
    case 'membership': {
      const { membership } = storage
      const field = ra.sub ? membership.fields[ra.sub.name.toLowerCase()] : 'otherId'
      return { attr, rows: membershipRows(membership), value: memberValue(membership, field, attr.path) }
    }
    case 'schemas':
      return { attr, rows: SCHEMA_ROWS, value: plain(sql`e.value`) }
    case 'always':
      return { attr, value: plain(sql`1`) }
    case 'unstored':
      throw ScimError.invalidFilter(`'${attr.path}' cannot be used in a filter`)
    case 'document':
      return documentTarget(ra)
    default:
      return assertNever(storage)
  }
}

/** Inside `attr[...]` over json_each rows: leaves read sub-attributes of the current element. */
function elementScope(outer: CompiledAttribute): Scope {
  return (ra) => {
    if (ra.attr.multiValued) {
      throw ScimError.invalidFilter(`'${outer.name}.${ra.attr.name}' is multi-valued and cannot be tested inside [ ]`)
    }
    return { attr: ra.attr, value: plain(sql`json_extract(${ELEMENT}, ${jsonPath([ra.attr.name])})`) }
  }
}

/** A leaf's test: on its one value (no rows), or on each row of its attribute. */
interface LeafTest {
  target: Target
  cond: SQL
  trueWhenMissing: boolean
}

function compareTest(node: Extract<ResolvedFilter, { kind: 'compare' }>, scope: Scope): LeafTest {
  const target = scope(node.attr)
  if (node.value === null) {
    // RFC 7643 §2.5: `eq null` is "not present", `ne null` is "present".
    const present = presentSql(target.value)
    return node.op === 'eq'
      ? { target, cond: sql`NOT ${present}`, trueWhenMissing: true }
      : { target, cond: present, trueWhenMissing: false }
  }
  // A missing value (NULL) must give the answer evaluate gives for `undefined`: true only for
  // `ne`. Other leaves stay bare so SQLite can use an index on them; NULL there acts as false
  // because AND/OR are monotone, and `not` turns it into false before negating (see toSql).
  const missing = node.op === 'ne'
  const cmp = compareSql(target.value, node.op, node.value, target.attr)
  return { target, cond: missing ? sql`coalesce(${cmp}, 1)` : cmp, trueWhenMissing: missing }
}

function leafTest(node: ResolvedFilter, scope: Scope): LeafTest | undefined {
  if (node.kind === 'compare') return compareTest(node, scope)
  if (node.kind !== 'present') return undefined
  const target = scope(node.attr)
  return { target, cond: presentSql(target.value), trueWhenMissing: false }
}

/** A leaf over its target: single value as is, or EXISTS over the rows (plus "no rows" when missing counts). */
function leafSql(leaf: LeafTest): SQL {
  const { target, cond, trueWhenMissing } = leaf
  return target.rows ? existsRow([{ rows: target.rows, cond, trueWhenMissing }]) : cond
}

/**
 * `attr[filter]` over the rows of a multi-valued attribute (or the memberships): ONE row must
 * satisfy every condition in [...] (RFC 7644 §3.4.2.2). Undefined for a single-valued complex.
 */
function valuePathTest(node: Extract<ResolvedFilter, { kind: 'valuePath' }>): RowTest | undefined {
  const outer = node.attr
  const storage = storageOf(outer)
  if (storage.kind === 'membership') {
    const { membership } = storage
    const scope: Scope = (ra) => ({
      attr: ra.attr,
      value: memberValue(membership, membership.fields[ra.attr.name.toLowerCase()], ra.attr.path),
    })
    return { rows: membershipRows(membership), cond: toSql(node.filter, scope), trueWhenMissing: false }
  }
  if (!outer.multiValued) return undefined
  const path = jsonPath(rootLabels(outer))
  const rows = {
    key: `objects:${path}`,
    from: sql`json_each(${resources.data}, ${path}) e`,
    where: sql`e.type = 'object'`,
    order: sql`e.key`,
  }
  return { rows, cond: toSql(node.filter, elementScope(outer)), trueWhenMissing: false }
}

/** A term of an `or`: a test of rows (to share one EXISTS with the others on those rows), or plain SQL. */
function orTerm(node: ResolvedFilter, scope: Scope): RowTest | SQL {
  if (node.kind === 'valuePath') return valuePathTest(node) ?? valuePathSql(node)
  const leaf = leafTest(node, scope)
  if (!leaf) return toSql(node, scope)
  const { target, cond, trueWhenMissing } = leaf
  return target.rows ? { rows: target.rows, cond, trueWhenMissing } : cond
}

function valuePathSql(node: Extract<ResolvedFilter, { kind: 'valuePath' }>): SQL {
  const test = valuePathTest(node)
  if (test) return existsRow([test])
  const outer = node.attr
  const storage = storageOf(outer)
  // Single-valued complex (`manager[value eq "x"]`): its one element is the object itself.
  const inner = toSql(node.filter, (ra) => topTarget({ attr: outer, sub: ra.attr }))
  if (storage.kind !== 'document') return inner // meta[...]: every resource has meta
  return sql`(coalesce(json_type(${resources.data}, ${jsonPath(rootLabels(outer))}) = 'object', 0) AND ${inner})`
}

function toSql(node: ResolvedFilter, scope: Scope): SQL {
  switch (node.kind) {
    case 'and':
      return sql`(${toSql(node.left, scope)} AND ${toSql(node.right, scope)})`
    case 'or':
      return anyOf(node, (term) => orTerm(term, scope))
    case 'not':
      // Leaves may be NULL (UNKNOWN) for missing values; as a whole they mean false, so fix that
      // before negating, or NOT would keep UNKNOWN and drop rows evaluate keeps.
      return sql`(NOT coalesce(${toSql(node.expr, scope)}, 0))`
    case 'present':
    case 'compare':
      return leafSql(leafTest(node, scope)!)
    case 'valuePath':
      return valuePathSql(node)
    default:
      return assertNever(node)
  }
}

/**
 * Translates a resolved filter into a where-clause over `resources` (one row = one resource of
 * `type`; the caller adds `type = ?`). Only bound parameters carry values and JSON paths. Agrees
 * with `evaluateFilter`, except on non-ASCII letters of caseExact:false strings outside name_ci
 * (see filter-sql-ops.ts).
 * Throws `invalidFilter` for attributes that exist but are not stored (`meta.location`, `members.$ref`).
 * @example orm.select().from(resources).where(and(eq(resources.type, 'User'), filterToSql(f, userType)))
 */
export function filterToSql(node: ResolvedFilter, type: ResourceType): SQL {
  checkMemberDisplayTerms(node)
  void type // the column map is keyed by schema URN, so the type adds nothing yet
  return toSql(node, topTarget)
}

/** A sort value: caseExact:false strings fold (ASCII-only lower(), except pre-folded columns); dateTimes sort as instants. */
function sortValue(target: Target): SQL {
  const { attr, value } = target
  if (attr.type === 'dateTime') return instantSql(value.expr)
  const stringy = attr.type === 'string' || attr.type === 'reference' || attr.type === 'binary'
  return stringy && !attr.caseExact && !value.folded ? sql`lower(${value.expr})` : value.expr
}

/**
 * The expression to ORDER BY for `sortBy` (RFC 7644 §3.4.2.3). Multi-valued attributes sort by
 * the primary element's value, else the first element's; a complex attribute means its `value`.
 * NULL when the resource has no value (see `orderBySql` for where those go).
 */
export function sortKeySql(ra: ResolvedAttr, type: ResourceType): SQL {
  void type
  let bound = ra
  const t = targetOf(ra)
  if (t.type === 'complex') {
    const valueSub = t.sub.get('value')
    if (!valueSub || ra.sub)
      throw ScimError.invalidValue(`cannot sort by the complex attribute '${t.path}'; name a sub-attribute`)
    bound = { attr: ra.attr, sub: valueSub }
  }
  // meta.version sorts by its integer, not by the W/"n" text, so 10 follows 9.
  const storage = storageOf(bound.attr, bound.sub)
  if (storage.kind === 'etag') return sql`${storage.column}`
  // meta.location is the base URL, the type's endpoint and the id: within one type it sorts as the id.
  if (storage.kind === 'unstored') return sql`${resources.id}`
  const target = topTarget(bound)
  if (!target.rows) return sortValue(target)
  const { from, where, order } = target.rows
  return sql`(SELECT ${sortValue(target)} FROM ${from} WHERE ${where} ORDER BY ${order} LIMIT 1)`
}

/**
 * ORDER BY terms for `sortBy`/`sortOrder`: resources without a value go last when ascending and
 * first when descending (RFC 7644 §3.4.2.3). Pass the result to Drizzle's `.orderBy(...terms)`.
 */
export function orderBySql(ra: ResolvedAttr, type: ResourceType, order: 'ascending' | 'descending'): SQL[] {
  const key = sortKeySql(ra, type)
  return order === 'ascending' ? [sql`${key} IS NULL`, sql`${key} ASC`] : [sql`${key} IS NULL DESC`, sql`${key} DESC`]
}
