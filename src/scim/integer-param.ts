// startIndex and count (RFC 7644 §3.4.2.4, RFC 9865): which text is an integer, for index and cursor paging alike.

/** Decimal digits with an optional sign: Number() would also take `0x10`, `1e3`, ` 1` and `1.0`. */
const DECIMAL = /^[+-]?\d+$/

/**
 * The integer `raw` names: undefined when absent or empty, null when it is no integer. A query
 * parameter must be decimal digits; a JSON number (POST /.search) must be integral. Beyond the
 * safe range it clamps to it: past any real result set, and SQL offsets never overflow.
 */
export function integerParam(raw: string | number | undefined): number | undefined | null {
  if (raw === undefined || raw === '') return undefined
  if (typeof raw === 'string' && !DECIMAL.test(raw)) return null
  const n = Number(raw)
  if (!Number.isInteger(n)) return null
  if (!Number.isSafeInteger(n)) return n > 0 ? Number.MAX_SAFE_INTEGER : Number.MIN_SAFE_INTEGER
  return n
}
