// RFC 7644 §3.4.2.2 attribute operators as PostgreSQL expressions, with the semantics of src/store/filter-sql-ops.ts.
import { sql, type SQL } from 'drizzle-orm'
import { foldCase } from '../scim/case-fold'
import type { CompareOp } from '../scim/filter/ast'
import type { CompiledAttribute } from '../scim/schema/types'
import { binary, escapeLike, type SqlValue } from '../store/filter-sql-ops'
import { instantMsSql } from './instant'

export type { SqlValue }

/**
 * Text compared by code point, as SQLite compares it, whatever the database's collation: jsonb
 * text comes out in the default collation, and the promoted columns are declared COLLATE "C".
 */
export const codePoint = (x: SQL): SQL => sql`(${x} COLLATE "C")`

/**
 * A comparison's value as SQL: `derive` turns the filter's value into the parameter bound there.
 * pgFilterToSql binds the value itself; list-statements.ts binds a placeholder and derives the
 * parameter again for each request, so one statement text serves every value.
 */
export type Bind = (derive: (value: string | number | boolean) => unknown) => SQL

/** A string value as SQL, `f` applied to the (folded or as-given) text. */
type TextBind = (f?: (text: string) => unknown) => SQL

const same = (text: string) => text

/** caseExact (or pre-folded) strings: exact comparison; substrings through strpos/left/right, not LIKE. */
function exactString(x: SQL, op: CompareOp, v: TextBind): SQL {
  switch (op) {
    case 'co':
      return sql`strpos(${x}, ${v()}) > 0`
    case 'sw':
      // The range lets PostgreSQL use a C-collated index on x (name_ci); left() keeps the test exact.
      return sql`(${codePoint(x)} >= ${v()} AND ${codePoint(x)} < ${v((t) => `${t}\u{10FFFF}`)} AND left(${x}, length(${v()})) = ${v()})`
    case 'ew':
      return sql`right(${x}, length(${v()})) = ${v()}`
    default:
      return binary(codePoint(x), op, v())
  }
}

/**
 * caseExact:false strings other than the promoted names: folded with lower()/ILIKE under the C
 * collation, which fold ASCII letters only, as SQLite's lower() and LIKE do, so both stores match
 * the same resources (non-ASCII letters match only in the same case; name_ci folds fully).
 */
function foldedString(x: SQL, op: CompareOp, v: TextBind): SQL {
  switch (op) {
    case 'co':
      return sql`${codePoint(x)} ILIKE ${v((t) => `%${escapeLike(t)}%`)} ESCAPE '\\'`
    case 'sw':
      return sql`${codePoint(x)} ILIKE ${v((t) => `${escapeLike(t)}%`)} ESCAPE '\\'`
    case 'ew':
      return sql`${codePoint(x)} ILIKE ${v((t) => `%${escapeLike(t)}`)} ESCAPE '\\'`
    default:
      return binary(sql`lower(${codePoint(x)})`, op, sql`lower(${v()}::text COLLATE "C")`)
  }
}

/**
 * A jsonb value as the SQL value a comparison of `attr` reads: numeric for numbers, boolean for
 * booleans (NULL when the JSON has another type, as no comparison matches it), text otherwise
 * (JSON text for objects and arrays, as SQLite's json_extract gives, so `pr` sees them).
 */
export function scalarOf(json: SQL, attr: CompiledAttribute): SQL {
  switch (attr.type) {
    case 'integer':
    case 'decimal':
      return sql`(CASE WHEN jsonb_typeof(${json}) = 'number' THEN (${json})::numeric END)`
    case 'boolean':
      return sql`(CASE WHEN jsonb_typeof(${json}) = 'boolean' THEN (${json})::boolean END)`
    default:
      return sql`(${json} #>> '{}')`
  }
}

/** The comparison for a non-null value bound through `bind`; NULL when `x` is NULL (callers COALESCE it). */
export function compareSql(x: SqlValue, op: CompareOp, bind: Bind, attr: CompiledAttribute): SQL {
  switch (attr.type) {
    case 'string':
    case 'reference':
    case 'binary': {
      const fold = x.folded ? foldCase : same
      const v: TextBind = (f = same) => bind((value) => f(fold(String(value))))
      return x.folded || attr.caseExact ? exactString(x.expr, op, v) : foldedString(x.expr, op, v)
    }
    case 'integer':
    case 'decimal':
      // The shortest text that reads back as the number (what JSON and SQLite hold), cast to
      // numeric: a bound JS number travels as float8, whose cast to numeric keeps 15 digits only.
      return binary(x.expr, op, sql`${bind((value) => String(value))}::numeric`)
    case 'dateTime':
      return binary(instantMsSql(x.expr), op, sql`${bind((value) => Date.parse(String(value)))}::bigint`)
    case 'boolean':
      return binary(x.expr, op, sql`${bind((value) => value === true)}::boolean`)
    case 'complex':
      throw new Error('unreachable: the resolver redirects complex comparisons to value')
  }
}

/** RFC 7643 §2.5: present = not NULL and, for text, not "" (never NULL itself). */
export function presentSql(x: SqlValue, attr: CompiledAttribute): SQL {
  if (attr.type === 'integer' || attr.type === 'decimal' || attr.type === 'boolean') return sql`(${x.expr} IS NOT NULL)`
  return sql`(${x.expr} IS NOT NULL AND ${x.expr} <> '')`
}
