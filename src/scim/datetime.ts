// RFC 7643 §2.3.5 dateTime: strict validation of input, and the one reading of instants shared with SQLite.

const XSD_DATETIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|([+-])(\d{2}):(\d{2}))?$/

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

function daysIn(year: number, month: number): number {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
  return month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]!
}

/**
 * Reads an xsd:dateTime (RFC 7643 §2.3.5) as epoch milliseconds, or undefined when it is not one:
 * a real calendar date (no February 30th), hours 00–23, minutes and seconds 00–59, an offset of at
 * most ±14:00. Years are 0001–9999. A value without `Z` or an offset is read as UTC, so every
 * reader (coercion, the in-memory filter, SQL) agrees on the instant; `Date.parse` would read it as
 * local time. Fractions round to the millisecond, as SQLite's unixepoch() does.
 * @example parseDateTime('2024-02-29T12:00:00') // Date.UTC(2024, 1, 29, 12)
 */
export function parseDateTime(text: string): number | undefined {
  const m = XSD_DATETIME.exec(text)
  if (!m) return undefined
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ]
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return undefined
  if (hour > 23 || minute > 59 || second > 59) return undefined
  if (m[9] !== undefined) {
    const oh = Number(m[10])
    const om = Number(m[11])
    if (om > 59 || oh * 60 + om > 14 * 60) return undefined
  }
  // The instant itself is read the one way SQL reads stored text, so a value validated here
  // compares alike in memory and in SQLite.
  return instantOf(text)
}

/**
 * The shape both readers accept: a full xsd:dateTime with a four-digit year and an optional zone
 * (zone-less is UTC), with the whitespace SQLite's parseTimezone skips around the zone. SQLite's
 * date parser is laxer before that (date-only, `now`, Julian day numbers), so filter-sql.ts
 * tests DATE_TIME_GLOB before it calls unixepoch().
 */
const SHAPE =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?[\t\n\v\f\r ]*([Zz]|[+-]\d{2}:\d{2})?[\t\n\v\f\r ]*$/

/** SHAPE's fixed-width head as a GLOB pattern; the tail (fraction, zone) is checked by unixepoch(). */
export const DATE_TIME_GLOB = '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*'

/**
 * The fraction of a second as SQLite reads it (date.c parseHhMmSs): the digits as a double,
 * capped at .999. computeJD then rounds seconds half up to a millisecond, where Date.parse
 * truncates, so `…:00.0005Z` would be a different instant in memory and in SQL.
 */
function fractionOf(digits: string | undefined): number {
  if (digits === undefined) return 0
  let frac = 0
  let scale = 1
  for (const d of digits) {
    frac = frac * 10 + (d.charCodeAt(0) - 48)
    scale *= 10
  }
  frac /= scale
  return Math.min(frac, 0.999)
}

/**
 * The instant (ms since the epoch) a stored dateTime names, exactly as SQLite's
 * `unixepoch(x, 'subsec') * 1000` reads it; undefined when it is not a dateTime of that shape.
 * Out-of-range days roll over as in SQLite and Date.UTC (2023-02-29 is 1 March); strict
 * validation of input is coercion's job.
 * @example instantOf('2024-03-01T10:00:00+02:00') === Date.UTC(2024, 2, 1, 8)
 */
export function instantOf(text: string): number | undefined {
  const m = SHAPE.exec(text)
  if (!m) return undefined
  const [, y, mo, d, h, mi, s, frac, zone] = m
  const month = Number(mo)
  const day = Number(d)
  const hour = Number(h)
  const minute = Number(mi)
  const seconds = Number(s) + fractionOf(frac)
  // SQLite's limits: no leap second; 24:00:00 exactly is the next midnight, 24:00:01 is invalid.
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 24 || minute > 59 || seconds >= 60) return undefined
  if (hour === 24 && (minute > 0 || seconds > 0)) return undefined
  let offset = 0
  if (zone !== undefined && zone !== 'Z' && zone !== 'z') {
    const zh = Number(zone.slice(1, 3))
    const zm = Number(zone.slice(4, 6))
    if (zh > 14 || zm > 59) return undefined
    offset = (zone[0] === '-' ? -1 : 1) * (zh * 60 + zm) * 60_000
  }
  const date = new Date(0)
  // setUTCFullYear, not Date.UTC: Date.UTC reads years 0–99 as 1900–1999.
  date.setUTCFullYear(Number(y), month - 1, day)
  date.setUTCHours(hour, minute, 0, 0)
  return date.getTime() + Math.trunc(seconds * 1000 + 0.5) - offset
}
