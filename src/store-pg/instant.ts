// A stored dateTime's instant in PostgreSQL, read exactly as src/scim/datetime.ts instantOf (and SQLite) reads it.
import { sql, type SQL } from 'drizzle-orm'

/**
 * datetime.ts SHAPE as a PostgreSQL regular expression: the fixed-width head, an optional
 * fraction, an optional zone, the whitespace SQLite skips around the zone.
 */
const SHAPE =
  '^(\\d{4})-(\\d{2})-(\\d{2})T(\\d{2}):(\\d{2}):(\\d{2})(?:\\.(\\d+))?[\\t\\n\\v\\f\\r ]*([Zz]|[+-]\\d{2}:\\d{2})?[\\t\\n\\v\\f\\r ]*$'

/**
 * Milliseconds since the epoch as a bigint, or NULL when `x` is not a dateTime of that shape.
 * Computed from the parts rather than cast to timestamptz: the cast would fail the whole query
 * on text it rejects (a cast error is a 5xx), would read zone-less text in the session's time
 * zone, and keeps microseconds where instantOf rounds seconds half up to the millisecond in double
 * precision (fraction capped at .999, so float8 here too) and rolls day 31 of a short month over, as SQLite does. Days from the civil date follow
 * H. Hinnant's days_from_civil. `OFFSET 0` keeps the planner from inlining the steps, which
 * repeated regexp_match for every use of every part (measured: 65 ms against 5 ms a filter on 630 rows).
 */
export function instantMsSql(x: SQL): SQL {
  return sql`(SELECT CASE WHEN p.mo BETWEEN 1 AND 12 AND p.d BETWEEN 1 AND 31 AND p.mi <= 59 AND p.s <= 59
      AND (p.h < 24 OR (p.h = 24 AND p.mi = 0 AND p.sms = 0)) AND p.zh <= 14 AND p.zm <= 59
    THEN (((p.era * 146097 + p.yoe * 365 + p.yoe / 4 - p.yoe / 100
        + (153 * (p.mo + CASE WHEN p.mo > 2 THEN -3 ELSE 9 END) + 2) / 5 + p.d - 1 - 719468) * 86400000)
      + p.h * 3600000 + p.mi * 60000 + p.sms - p.zsign * (p.zh * 60 + p.zm) * 60000)::bigint END
    FROM (SELECT q.*, floor(q.yp / 400.0)::bigint AS era, q.yp - floor(q.yp / 400.0)::bigint * 400 AS yoe
      FROM (SELECT m[1]::bigint - CASE WHEN m[2]::int <= 2 THEN 1 ELSE 0 END AS yp, m[2]::int AS mo, m[3]::int AS d,
        m[4]::int AS h, m[5]::int AS mi, m[6]::int AS s,
        trunc((m[6]::float8 + least(coalesce(('0.' || m[7])::float8, 0), 0.999)) * 1000 + 0.5)::bigint AS sms,
        CASE WHEN m[8] LIKE '-%' THEN -1 WHEN m[8] LIKE '+%' THEN 1 ELSE 0 END AS zsign,
        CASE WHEN length(m[8]) = 6 THEN substr(m[8], 2, 2)::int ELSE 0 END AS zh,
        CASE WHEN length(m[8]) = 6 THEN substr(m[8], 5, 2)::int ELSE 0 END AS zm
        FROM (SELECT regexp_match(${x}, ${SHAPE}) AS m OFFSET 0) r OFFSET 0) q) p)`
}
