// RFC 7644 §3.4.2.2 filters (resolved) → a PostgreSQL where-clause over `resources` (jsonb), plus §3.4.2.3 sort keys.
import { sql, type SQL } from 'drizzle-orm'
import { URN_GROUP, URN_USER } from '../scim/constants'
import { ScimError } from '../scim/errors'
import { assertNever } from '../scim/filter/print'
import { targetOf, type ResolvedAttr, type ResolvedFilter } from '../scim/filter/resolve'
import type { CompiledAttribute, ResourceType } from '../scim/schema/types'
import { MAX_DISPLAY_CHARACTERS, storageOf, type MemberField, type Membership } from '../store/columns'
import { type Bind, codePoint, compareSql, presentSql, scalarOf, type SqlValue } from './filter-sql-ops'
import { anyOf, checkMemberDisplayTerms, existsRow, type RowSet, type RowTest } from '../store/filter-rows'
import { instantMsSql } from './instant'
import { groupMembers, resources } from './tables'

// The same attribute → storage table as the SQLite store (src/store/columns.ts storageOf, one
// mechanism); its columns are found here by their SQL name.
const COLUMNS = new Map(Object.values(resources).map((c) => [c.name, c]))

function columnOf(name: string): SQL {
  const c = (COLUMNS as Map<string, unknown>).get(name)
  if (!c) throw new Error(`resources has no column ${name}`)
  return sql`${c}`
}

interface Target {
  attr: CompiledAttribute
  value: SqlValue
  rows?: RowSet
}

type Scope = (ra: ResolvedAttr) => Target

/** A comparison leaf of a resolved filter. */
export type CompareNode = Extract<ResolvedFilter, { kind: 'compare' }>

/** How each comparison's value enters the SQL (see Bind). */
export type Binder = (node: CompareNode) => Bind

/** Each value bound as itself. */
const boundAsIs: Binder = (node) => (derive) => sql`${derive(node.value!)}`

/**
 * A jsonb path as a text[] of bound labels: they are canonical names, but never spliced into SQL.
 * (Drizzle spreads a JS array in sql`` into a parameter list, so each label is bound alone.)
 */
const path = (labels: readonly string[]): SQL =>
  sql`ARRAY[${sql.join(
    labels.map((l) => sql`${l}::text`),
    sql`, `
  )}]`

function rootLabels(attr: CompiledAttribute): string[] {
  return attr.inExtension ? [attr.schema, attr.name] : [attr.name]
}

/** The elements of a jsonb array as rows `e(value, key)`, none when the value is not an array. */
function elements(json: SQL): SQL {
  return sql`jsonb_array_elements(CASE WHEN jsonb_typeof(${json}) = 'array' THEN ${json} END) WITH ORDINALITY AS e(value, key)`
}

/** RFC 7644 §3.4.2.3: a multi-valued attribute sorts by its primary element, else its first. */
function elementOrder(attr: CompiledAttribute): SQL {
  if (!attr.sub.has('primary')) return sql`e.key`
  return sql`coalesce((CASE WHEN jsonb_typeof(e.value -> 'primary') = 'boolean' THEN (e.value -> 'primary')::boolean END), false) DESC, e.key`
}

const plain = (expr: SQL): SqlValue => ({ expr, folded: false })

/** memberDisplaySql of src/store/columns.ts in PostgreSQL: displayName, else userName, shortened. */
const OTHER_DISPLAY = sql`substr(coalesce(o.data ->> 'displayName', o.data ->> 'userName'), 1, ${MAX_DISPLAY_CHARACTERS}::int)`

function sides(m: Membership): { self: SQL; other: SQL } {
  return m.self === 'group_id'
    ? { self: sql`${groupMembers.groupId}`, other: sql`${groupMembers.memberId}` }
    : { self: sql`${groupMembers.memberId}`, other: sql`${groupMembers.groupId}` }
}

function membershipRows(m: Membership): RowSet {
  const { self, other } = sides(m)
  return {
    key: `members:${m.self}`,
    from: sql`${groupMembers} JOIN ${resources} AS o ON o.id = ${other}`,
    where: sql`${self} = ${resources.id}`,
    order: sql`${groupMembers.seq}`,
  }
}

function memberValue(m: Membership, field: MemberField | undefined, shown: string): SqlValue {
  if (field === undefined) throw ScimError.invalidFilter(`'${shown}' cannot be used in a filter`)
  if (typeof field === 'object') return plain(sql`${field.constant}::text`)
  switch (field) {
    case 'otherId':
      return plain(sides(m).other)
    case 'memberType':
      return plain(sql`${groupMembers.memberType}`)
    case 'otherDisplay':
      return plain(OTHER_DISPLAY)
    default:
      return assertNever(field)
  }
}

/**
 * A resource's `schemas`, as rows: its core schema, then every URN key holding an extension object.
 * ILIKE: the URN scheme is case-insensitive (RFC 8141), and `URN:…` keys are listed in `schemas`
 * (render.ts reads /^urn:/i) and matched by SQLite's LIKE; PostgreSQL's LIKE left them out.
 */
const SCHEMA_ROWS: RowSet = {
  key: 'schemas',
  from: sql`(SELECT CASE ${resources.type} WHEN 'Group' THEN ${URN_GROUP}::text ELSE ${URN_USER}::text END AS value
    UNION ALL SELECT key AS value FROM jsonb_each(${resources.data}) WHERE jsonb_typeof(value) = 'object' AND key ILIKE 'urn:%') e`,
  where: sql`true`,
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
      key: `each:${JSON.stringify(labels)}`,
      from: elements(sql`${resources.data} #> ${path(labels)}`),
      where: sql`true`,
      order: elementOrder(ra.attr),
    }
    const json = ra.sub ? sql`e.value -> ${ra.sub.name}::text` : sql`e.value`
    return { attr, rows, value: plain(scalarOf(json, attr)) }
  }
  const full = ra.sub ? [...labels, ra.sub.name] : labels
  if (ra.sub?.multiValued) {
    const rows = {
      key: `each:${JSON.stringify(full)}`,
      from: elements(sql`${resources.data} #> ${path(full)}`),
      where: sql`true`,
      order: sql`e.key`,
    }
    return { attr, rows, value: plain(scalarOf(sql`e.value`, attr)) }
  }
  return { attr, value: plain(scalarOf(sql`${resources.data} #> ${path(full)}`, attr)) }
}

/** A top-level leaf, by where src/store/columns.ts says its attribute is kept. */
function topTarget(ra: ResolvedAttr): Target {
  const attr = targetOf(ra)
  const storage = storageOf(ra.attr, ra.sub)
  switch (storage.kind) {
    case 'column':
      return { attr, value: { expr: columnOf(storage.column.name), folded: storage.folded } }
    case 'etag':
      return { attr, value: plain(sql`('W/"' || ${columnOf(storage.column.name)} || '"')`) }
    case 'membership': {
      const { membership } = storage
      const field = ra.sub ? membership.fields[ra.sub.name.toLowerCase()] : 'otherId'
      return { attr, rows: membershipRows(membership), value: memberValue(membership, field, attr.path) }
    }
    case 'schemas':
      return { attr, rows: SCHEMA_ROWS, value: plain(sql`e.value`) }
    case 'always':
      // meta is an object on every resource; as text, like any other object value here.
      return { attr, value: plain(sql`'{}'::text`) }
    case 'unstored':
      throw ScimError.invalidFilter(`'${attr.path}' cannot be used in a filter`)
    case 'document':
      return documentTarget(ra)
    default:
      return assertNever(storage)
  }
}

/** Inside `attr[...]` over array elements: leaves read sub-attributes of the current element. */
function elementScope(outer: CompiledAttribute): Scope {
  return (ra) => {
    if (ra.attr.multiValued) {
      throw ScimError.invalidFilter(`'${outer.name}.${ra.attr.name}' is multi-valued and cannot be tested inside [ ]`)
    }
    return { attr: ra.attr, value: plain(scalarOf(sql`e.value -> ${ra.attr.name}::text`, ra.attr)) }
  }
}

/** A leaf's test: on its one value (no rows), or on each row of its attribute. */
interface LeafTest {
  target: Target
  cond: SQL
  trueWhenMissing: boolean
}

function leafTest(node: ResolvedFilter, scope: Scope, bind: Binder): LeafTest | undefined {
  if (node.kind === 'present') {
    const target = scope(node.attr)
    return { target, cond: presentSql(target.value, target.attr), trueWhenMissing: false }
  }
  if (node.kind !== 'compare') return undefined
  const target = scope(node.attr)
  if (node.value === null) {
    // RFC 7643 §2.5: `eq null` is "not present", `ne null` is "present".
    const present = presentSql(target.value, target.attr)
    return node.op === 'eq'
      ? { target, cond: sql`NOT ${present}`, trueWhenMissing: true }
      : { target, cond: present, trueWhenMissing: false }
  }
  // As in the SQLite store: a missing value (NULL) satisfies only `ne`; other leaves stay bare
  // for index use, NULL acting as false under AND/OR and fixed before `not` negates (see toSql).
  const missing = node.op === 'ne'
  const cmp = compareSql(target.value, node.op, bind(node), target.attr)
  return { target, cond: missing ? sql`coalesce(${cmp}, true)` : cmp, trueWhenMissing: missing }
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
function valuePathTest(node: Extract<ResolvedFilter, { kind: 'valuePath' }>, bind: Binder): RowTest | undefined {
  const outer = node.attr
  const storage = storageOf(outer)
  if (storage.kind === 'membership') {
    const { membership } = storage
    const scope: Scope = (ra) => ({
      attr: ra.attr,
      value: memberValue(membership, membership.fields[ra.attr.name.toLowerCase()], ra.attr.path),
    })
    return { rows: membershipRows(membership), cond: toSql(node.filter, scope, bind), trueWhenMissing: false }
  }
  if (!outer.multiValued) return undefined
  const labels = rootLabels(outer)
  const rows = {
    key: `objects:${JSON.stringify(labels)}`,
    from: elements(sql`${resources.data} #> ${path(labels)}`),
    where: sql`jsonb_typeof(e.value) = 'object'`,
    order: sql`e.key`,
  }
  return { rows, cond: toSql(node.filter, elementScope(outer), bind), trueWhenMissing: false }
}

/** A term of an `or`: a test of rows (to share one EXISTS with the others on those rows), or plain SQL. */
function orTerm(node: ResolvedFilter, scope: Scope, bind: Binder): RowTest | SQL {
  if (node.kind === 'valuePath') return valuePathTest(node, bind) ?? valuePathSql(node, bind)
  const leaf = leafTest(node, scope, bind)
  if (!leaf) return toSql(node, scope, bind)
  const { target, cond, trueWhenMissing } = leaf
  return target.rows ? { rows: target.rows, cond, trueWhenMissing } : cond
}

function valuePathSql(node: Extract<ResolvedFilter, { kind: 'valuePath' }>, bind: Binder): SQL {
  const test = valuePathTest(node, bind)
  if (test) return existsRow([test])
  const outer = node.attr
  const storage = storageOf(outer)
  const json = sql`${resources.data} #> ${path(rootLabels(outer))}`
  const inner = toSql(node.filter, (ra) => topTarget({ attr: outer, sub: ra.attr }), bind)
  if (storage.kind !== 'document') return inner // meta[...]: every resource has meta
  return sql`(coalesce(jsonb_typeof(${json}) = 'object', false) AND ${inner})`
}

function toSql(node: ResolvedFilter, scope: Scope, bind: Binder): SQL {
  switch (node.kind) {
    case 'and':
      return sql`(${toSql(node.left, scope, bind)} AND ${toSql(node.right, scope, bind)})`
    case 'or':
      return anyOf(node, (term) => orTerm(term, scope, bind))
    case 'not':
      return sql`(NOT coalesce(${toSql(node.expr, scope, bind)}, false))`
    case 'present':
    case 'compare':
      return leafSql(leafTest(node, scope, bind)!)
    case 'valuePath':
      return valuePathSql(node, bind)
    default:
      return assertNever(node)
  }
}

/**
 * Translates a resolved filter into a PostgreSQL where-clause over `resources` (the caller adds
 * `tenant = ? AND type = ?`), matching what src/store/filter-sql.ts filterToSql matches in SQLite.
 * Values and JSON paths travel only as bound parameters (each value as `bind` says: as itself by
 * default). Throws `invalidFilter` for attributes that exist but are not stored.
 * @example orm.select().from(resources).where(and(eq(resources.type, 'User'), pgFilterToSql(f, userType)))
 */
export function pgFilterToSql(node: ResolvedFilter, type: ResourceType, bind: Binder = boundAsIs): SQL {
  checkMemberDisplayTerms(node)
  void type // the column map is keyed by schema URN, so the type adds nothing yet
  return toSql(node, topTarget, bind)
}

/** A sort value: caseExact:false strings fold as filters fold them; text sorts by code point; dateTimes as instants. */
function sortValue(target: Target): SQL {
  const { attr, value } = target
  if (attr.type === 'dateTime') return instantMsSql(value.expr)
  const stringy = attr.type === 'string' || attr.type === 'reference' || attr.type === 'binary'
  if (!stringy) return value.expr
  return !attr.caseExact && !value.folded ? sql`lower(${codePoint(value.expr)})` : codePoint(value.expr)
}

/** The expression to ORDER BY for `sortBy` (RFC 7644 §3.4.2.3); NULL when the resource has no value. */
export function pgSortKeySql(ra: ResolvedAttr, type: ResourceType): SQL {
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
  if (storage.kind === 'etag') return columnOf(storage.column.name)
  // meta.location is the base URL, the type's endpoint and the id: within one type it sorts as the id.
  if (storage.kind === 'unstored') return codePoint(columnOf('id'))
  const target = topTarget(bound)
  if (!target.rows) return sortValue(target)
  const { from, where, order } = target.rows
  return sql`(SELECT ${sortValue(target)} FROM ${from} WHERE ${where} ORDER BY ${order} LIMIT 1)`
}

/** ORDER BY terms: resources without a value last ascending, first descending (RFC 7644 §3.4.2.3). */
export function pgOrderBySql(ra: ResolvedAttr, type: ResourceType, order: 'ascending' | 'descending'): SQL[] {
  const key = pgSortKeySql(ra, type)
  return order === 'ascending' ? [sql`${key} IS NULL`, sql`${key} ASC`] : [sql`${key} IS NULL DESC`, sql`${key} DESC`]
}
