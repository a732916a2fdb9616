// A list query's two statements (its count and its page) built once per shape of query, with the values bound per request.
import { and, asc, desc, eq, gt, is, lt, Placeholder, sql, type SQL } from 'drizzle-orm'
import { PgDialect } from 'drizzle-orm/pg-core'
import { LRUCache } from 'lru-cache'
import { assertNever } from '../scim/filter/print'
import type { ResolvedFilter } from '../scim/filter/resolve'
import type { CompiledAttribute, ResourceType } from '../scim/schema/types'
import type { ListQuery } from '../service/context'
import type { Bind } from './filter-sql-ops'
import { type CompareNode, pgFilterToSql, pgOrderBySql } from './filter-sql'
import { groupsPgColumn, PG_READ_COLUMNS } from './reads'
import { resources } from './tables'

const dialect = new PgDialect()
const { placeholder } = sql

/** A statement's text and its parameters, placeholders among them. */
interface Built {
  text: string
  params: unknown[]
}

/** What one shape of query needs: its statements, and how each filter parameter comes from a leaf's value. */
interface Shape {
  count: Built
  page: Built
  slots: { leaf: number; derive: Parameters<Bind>[0] }[]
}

/** The statements of one request, ready to send. */
export interface ListStatements {
  count: { text: string; params: unknown[] }
  page: { text: string; params: unknown[] }
  /** Rows the page skips (none for a cursor). */
  offset: number
}

/**
 * Building a statement with Drizzle cost about half the CPU of a list request that matches one
 * row (~100 µs); the text depends only on the shape (type, filter without its values, sort,
 * cursor direction), which repeats, so it is built once per shape. Values were bound parameters
 * already: PostgreSQL sees the same texts as before, and plans them the same way.
 */
const shapes = new LRUCache<string, Shape>({ max: 500 })

// A number per compiled attribute: two tenants' schemas with one name are different attributes.
const attrIds = new WeakMap<CompiledAttribute, number>()
let nextAttrId = 0
function attrKey(attr: CompiledAttribute): number {
  let id = attrIds.get(attr)
  if (id === undefined) attrIds.set(attr, (id = nextAttrId++))
  return id
}

const resolvedKey = (ra: { attr: CompiledAttribute; sub?: CompiledAttribute }) =>
  ra.sub ? `${attrKey(ra.attr)}.${attrKey(ra.sub)}` : String(attrKey(ra.attr))

/** The filter without its values (which go to `leaves`, in this walk's order). */
function filterShape(node: ResolvedFilter, leaves: CompareNode[]): string {
  switch (node.kind) {
    case 'and':
    case 'or':
      return `(${filterShape(node.left, leaves)} ${node.kind} ${filterShape(node.right, leaves)})`
    case 'not':
      return `not(${filterShape(node.expr, leaves)})`
    case 'present':
      return `${resolvedKey(node.attr)} pr`
    case 'compare':
      leaves.push(node)
      return `${resolvedKey(node.attr)} ${node.op} ${node.value === null ? 'null' : typeof node.value}`
    case 'valuePath':
      return `${attrKey(node.attr)}[${filterShape(node.filter, leaves)}]`
    default:
      return assertNever(node)
  }
}

function build(type: ResourceType, q: ListQuery, leaves: CompareNode[]): Shape {
  const slots: Shape['slots'] = []
  const index = new Map(leaves.map((leaf, i) => [leaf, i]))
  const bind = (leaf: CompareNode) => (derive: Parameters<Bind>[0]) => {
    slots.push({ leaf: index.get(leaf)!, derive })
    return sql`${placeholder(`v${slots.length - 1}`)}`
  }
  const scope = and(eq(resources.tenant, placeholder('tenant')), eq(resources.type, type.name))!
  const where: SQL = q.filter ? and(scope, pgFilterToSql(q.filter, type, bind))! : scope
  const count = dialect.sqlToQuery(sql`SELECT count(*)::int AS n FROM ${resources} WHERE ${where}`)
  // RFC 7644 §3.4.2.3: resources without the sort attribute go last ascending, first descending.
  let order = q.sortBy
    ? pgOrderBySql(q.sortBy, type, q.descending ? 'descending' : 'ascending')
    : [sql`${resources.nameCi}`]
  let page = where
  let tieBreak = sql`, ${resources.seq}`
  if (q.keyset) {
    const after = q.keyset.direction === 'after'
    const cursor = placeholder('cursor')
    page = and(where, after ? gt(resources.id, cursor) : lt(resources.id, cursor))!
    order = [after ? asc(resources.id) : desc(resources.id)]
    tieBreak = sql``
  }
  const select =
    dialect.sqlToQuery(sql`SELECT ${sql.raw(PG_READ_COLUMNS)}, ${sql.raw(groupsPgColumn(type.name))} AS groups
    FROM ${resources} WHERE ${page} ORDER BY ${sql.join(order, sql`, `)}${tieBreak} LIMIT ${placeholder('limit')} OFFSET ${placeholder('offset')}`)
  return {
    count: { text: count.sql, params: count.params },
    page: { text: select.sql, params: select.params },
    slots,
  }
}

function filled(built: Built, values: Record<string, unknown>): { text: string; params: unknown[] } {
  return { text: built.text, params: built.params.map((p) => (is(p, Placeholder) ? values[p.name] : p)) }
}

/**
 * The count and page statements of `q` over `tenant`, as src/store-pg/list-query.ts runs them:
 * without sortBy, pages follow the (tenant, type, name_ci) index, ties in insertion order; a
 * cursor walks the primary key and starts at no offset.
 */
export function listStatements(tenant: string, type: ResourceType, q: ListQuery): ListStatements {
  const leaves: CompareNode[] = []
  const sort = q.sortBy ? `${resolvedKey(q.sortBy)}${q.descending ? ' desc' : ''}` : ''
  const filter = q.filter ? filterShape(q.filter, leaves) : ''
  const key = `${type.name}\u0000${filter}\u0000${sort}\u0000${q.keyset?.direction ?? ''}`
  let shape = shapes.get(key)
  if (!shape) shapes.set(key, (shape = build(type, q, leaves)))
  const offset = q.keyset ? 0 : q.startIndex - 1
  const values: Record<string, unknown> = { tenant, limit: q.count, offset, cursor: q.keyset?.id }
  for (let i = 0; i < shape.slots.length; i++) {
    const { leaf, derive } = shape.slots[i]!
    values[`v${i}`] = derive(leaves[leaf]!.value!)
  }
  const { count, page } = shape
  return { count: filled(count, values), page: filled(page, values), offset }
}
