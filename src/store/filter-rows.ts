// RFC 7644 §3.4.2.2 "any value matches" over element rows, shared by the SQLite and PostgreSQL filter translators.
import { is, SQL, sql } from 'drizzle-orm'
import { ScimError } from '../scim/errors'
import { DEFAULT_FILTER_LIMITS } from '../scim/filter/parser'
import type { ResolvedAttr, ResolvedFilter } from '../scim/filter/resolve'
import type { CompiledAttribute } from '../scim/schema/types'
import { storageOf } from './columns'

/** The rows of a multi-valued attribute, one per element, correlated to the outer `resources` row. */
export interface RowSet {
  /** Names the rows: two tests with the same key read the same rows under the same aliases. */
  key: string
  from: SQL
  where: SQL
  /** Element order for sorting: primary first where there is one, then stored order. */
  order: SQL
}

/** "Some row satisfies `cond`"; with `trueWhenMissing`, having no rows at all satisfies it too. */
export interface RowTest {
  rows: RowSet
  cond: SQL
  trueWhenMissing: boolean
}

/** The terms of an `or` chain, left to right. */
export function disjuncts(node: ResolvedFilter): ResolvedFilter[] {
  return node.kind === 'or' ? [...disjuncts(node.left), ...disjuncts(node.right)] : [node]
}

/**
 * One EXISTS for tests over the same rows: "some row satisfies a" or "some row satisfies b" is
 * "some row satisfies a or b". A correlated EXISTS per term made SQLite's cost grow with the
 * square of the terms (95 `groups.display co` terms: 9 s on 3,000 users; one EXISTS: 0.1 s).
 */
export function existsRow(tests: readonly RowTest[]): SQL {
  const { from, where } = tests[0]!.rows
  const cond =
    tests.length === 1
      ? tests[0]!.cond
      : sql`(${sql.join(
          tests.map((t) => t.cond),
          sql` OR `
        )})`
  const any = sql`EXISTS (SELECT 1 FROM ${from} WHERE ${where} AND ${cond})`
  // No elements at all is a missing attribute, which satisfies `ne` and `eq null` (see evaluate.ts).
  if (!tests.some((t) => t.trueWhenMissing)) return any
  return sql`(${any} OR NOT EXISTS (SELECT 1 FROM ${from} WHERE ${where}))`
}

/**
 * An `or` chain: `term` gives each term as a RowTest (gathered into one EXISTS per row set) or as
 * plain SQL (kept as it is). OR commutes, NULLs included, so the order may change.
 */
export function anyOf(node: ResolvedFilter, term: (term: ResolvedFilter) => RowTest | SQL): SQL {
  const parts: SQL[] = []
  const byRows = new Map<string, RowTest[]>()
  for (const t of disjuncts(node).map(term)) {
    if (is(t, SQL)) parts.push(t)
    else if (byRows.has(t.rows.key)) byRows.get(t.rows.key)!.push(t)
    else byRows.set(t.rows.key, [t])
  }
  for (const tests of byRows.values()) parts.push(existsRow(tests))
  return sql`(${sql.join(parts, sql` OR `)})`
}

/** Whether a leaf reads the other side's display through the membership join. */
function readsDisplay(ra: ResolvedAttr, outer?: CompiledAttribute): boolean {
  const storage = outer ? storageOf(outer) : storageOf(ra.attr, ra.sub)
  if (storage.kind !== 'membership') return false
  const sub = outer ? ra.attr : ra.sub
  return sub !== undefined && storage.membership.fields[sub.name.toLowerCase()] === 'otherDisplay'
}

function displayTerms(node: ResolvedFilter, outer?: CompiledAttribute): number {
  switch (node.kind) {
    case 'and':
    case 'or':
      return displayTerms(node.left, outer) + displayTerms(node.right, outer)
    case 'not':
      return displayTerms(node.expr, outer)
    case 'valuePath':
      return displayTerms(node.filter, node.attr)
    default:
      return readsDisplay(node.attr, outer) ? 1 : 0
  }
}

/**
 * 400 invalidFilter when a filter has more `members.display` / `groups.display` terms than
 * DEFAULT_FILTER_LIMITS allows: each is a join per resource listed, so even merged into one
 * EXISTS, 95 of them took 13 s at 100,000 users. Both stores' translators call it first.
 */
export function checkMemberDisplayTerms(node: ResolvedFilter): void {
  const max = DEFAULT_FILTER_LIMITS.maxMemberDisplayTerms ?? Infinity
  const n = displayTerms(node)
  if (n > max) {
    throw ScimError.invalidFilter(
      `filter has ${n} terms on a member's or group's display; at most ${max} are allowed, as each reads every membership`
    )
  }
}
