// RFC 7643 §2.3.5 dateTime: the one strict xsd:dateTime reader (a value without a zone is UTC).

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
 * local time. Fractions beyond milliseconds are truncated.
 * @example parseDateTime('2024-02-29T12:00:00') // Date.UTC(2024, 1, 29, 12)
 */
export function parseDateTime(text: string): number | undefined {
  const m = XSD_DATETIME.exec(text)
  if (!m) return undefined
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number]
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return undefined
  if (hour > 23 || minute > 59 || second > 59) return undefined
  let offset = 0
  if (m[9] !== undefined) {
    const oh = Number(m[10])
    const om = Number(m[11])
    if (om > 59 || oh * 60 + om > 14 * 60) return undefined
    offset = (m[9] === '-' ? -1 : 1) * (oh * 60 + om)
  }
  const ms = m[7] === undefined ? 0 : Number(m[7].slice(1, 4).padEnd(3, '0'))
  const d = new Date(0)
  // setUTCFullYear keeps years below 100 (Date.UTC maps 0–99 to 1900–1999).
  d.setUTCFullYear(year, month - 1, day)
  d.setUTCHours(hour, minute - offset, second, ms)
  return d.getTime()
}
