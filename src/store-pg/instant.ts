// A stored dateTime's instant in PostgreSQL, read exactly as src/scim/datetime.ts instantOf (and SQLite) reads it.
import { sql, type SQL } from 'drizzle-orm'

/**
 * datetime.ts SHAPE as a PostgreSQL regular expression (no captures: it is only tested): the
 * fixed-width head, an optional fraction, an optional zone, the whitespace SQLite skips around the zone.
 * Digits are [0-9], as JavaScript's \d: PostgreSQL's \d follows the collation, and under ICU it
 * takes other scripts' digits, which the ::int casts below then refuse, failing the whole query.
 */
const SHAPE =
  '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\\.[0-9]+)?[\\t\\n\\v\\f\\r ]*(?:[Zz]|[+-][0-9]{2}:[0-9]{2})?[\\t\\n\\v\\f\\r ]*$'

/** The whitespace SQLite skips around the zone (datetime.ts SHAPE). */
const SPACE = '\t\n\v\f\r '

/**
 * Milliseconds since the epoch as a bigint, or NULL when `x` is not a dateTime of that shape.
 * Computed from the parts rather than cast to timestamptz: the cast would fail the whole query
 * on text it rejects (a cast error is a 5xx), would read zone-less text in the session's time
 * zone, and keeps microseconds where instantOf rounds seconds half up to the millisecond in
 * double precision (fraction capped at .999, so float8 here too) and rolls day 31 of a short
 * month over, as SQLite does. Days from the civil date follow H. Hinnant's days_from_civil,
 * shifted 400 years so integer division never sees a negative year.
 * One `~` test checks the shape; after it the head has fixed positions, and the tail is split
 * with string functions. Measured on 20k rows: 5.5 µs a row, against 28 µs with one regexp_match
 * (captures are what cost) and 0.3 µs for a plain text comparison.
 * Each step is a subquery level kept apart by `OFFSET 0`, so `x` is read once per row.
 */
export function instantMsSql(x: SQL): SQL {
  const r = sql`SELECT v, coalesce(v ~ ${SHAPE}, false) AS ok FROM (SELECT (${x})::text AS v) v OFFSET 0`
  const parts = sql`SELECT CASE WHEN ok THEN substr(v, 1, 4)::int END AS y, CASE WHEN ok THEN substr(v, 6, 2)::int END AS mo,
      CASE WHEN ok THEN substr(v, 9, 2)::int END AS d, CASE WHEN ok THEN substr(v, 12, 2)::int END AS h,
      CASE WHEN ok THEN substr(v, 15, 2)::int END AS mi, CASE WHEN ok THEN substr(v, 18, 2)::int END AS s,
      CASE WHEN ok THEN btrim(substr(v, 20), ${SPACE}::text) END AS t
    FROM (${r}) r OFFSET 0`
  const zoned = sql`SELECT q.*, CASE WHEN right(t, 1) IN ('Z', 'z') THEN 1 WHEN left(right(t, 6), 1) IN ('+', '-') THEN 6 ELSE 0 END AS zl
    FROM (${parts}) q OFFSET 0`
  const split = sql`SELECT z.*, rtrim(left(t, length(t) - zl), ${SPACE}::text) AS frac,
      CASE WHEN zl = 6 THEN right(t, 6) END AS zone
    FROM (${zoned}) z OFFSET 0`
  const fields = sql`SELECT y, mo, d, h, mi, s,
      trunc((s::float8 + least(CASE WHEN frac = '' THEN 0 ELSE ('0' || frac)::float8 END, 0.999)) * 1000 + 0.5)::bigint AS sms,
      CASE WHEN zone LIKE '-%' THEN -1 ELSE 1 END AS zsign,
      coalesce(substr(zone, 2, 2)::int, 0) AS zh, coalesce(substr(zone, 5, 2)::int, 0) AS zm,
      y + 400 - CASE WHEN mo <= 2 THEN 1 ELSE 0 END AS yp
    FROM (${split}) f OFFSET 0`
  return sql`(SELECT CASE WHEN p.mo BETWEEN 1 AND 12 AND p.d BETWEEN 1 AND 31 AND p.mi <= 59 AND p.s <= 59
      AND (p.h < 24 OR (p.h = 24 AND p.mi = 0 AND p.sms = 0)) AND p.zh <= 14 AND p.zm <= 59
    THEN (((p.yp / 400) * 146097::bigint + (p.yp % 400) * 365 + (p.yp % 400) / 4 - (p.yp % 400) / 100
        + (153 * (p.mo + CASE WHEN p.mo > 2 THEN -3 ELSE 9 END) + 2) / 5 + p.d - 1 - 719468 - 146097) * 86400000
      + p.h * 3600000 + p.mi * 60000 + p.sms - p.zsign * (p.zh * 60 + p.zm) * 60000)::bigint END
    FROM (${fields}) p)`
}
