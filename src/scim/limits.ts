// The input-limits policy: each limit's name, default and flag, and the checks that enforce it.
import { ScimError } from './errors'

/** Everything a client can make big or deep, bounded before it is stored or rendered. */
export interface Limits {
  /** Largest request body in bytes, checked before the body is read. */
  maxRequestBytes: number
  /** Deepest nesting of objects and arrays in a request body. */
  maxDepth: number
  /** Largest stored document (its JSON text in UTF-8) after a create, replace or patch. */
  maxDocumentBytes: number
  /** Byte budget of the resources in one list response; the page ends early when it is spent. */
  maxResponseBytes: number
  /** Byte budget of the lookup cache (its entry count is bounded separately). */
  cacheBytes: number
  /** Byte budget of the parsed-filter cache, one for all tenants (estimated from the filters' text). */
  filterCacheBytes: number
  /** Operations one POST /Bulk may hold (RFC 7644 §3.7.4 maxOperations). */
  maxBulkOperations: number
  /** Operations one PATCH may hold (RFC 7644 §3.5.2 sets no bound; Bulk's maxOperations is the model). */
  maxPatchOperations: number
  /**
   * Elements of multi-valued attributes (and group members) one PATCH's operations may visit in
   * total: each operation on such an attribute reads all of its elements, so a few hundred
   * operations on a 30,000-element list would otherwise hold the one thread for seconds.
   */
  maxPatchElements: number
  /**
   * How much of the database file SQLite reads through a memory map (0: none). Mapped pages are
   * the OS file cache's, but they count into the process's resident size, so it is opt-in.
   */
  dbMmapBytes: number
}

export type LimitName = keyof Limits

interface LimitSetting {
  /** The command-line flag, without `--`; error details name it so an operator knows what to raise. */
  flag: string
  default: number
  min: number
  max: number
}

const MiB = 1_048_576

/**
 * Why these defaults: 10 MiB was the body size Bun enforced before, and a PUT of a large group
 * (members are stored apart from the document) needs it. SQLite's JSON functions refuse text
 * nested 1,000 levels or more, and one such document breaks every query that reads it, so depth
 * stays far below that; SCIM resources are 3 or 4 levels deep. A user document is a few KB.
 */
export const LIMIT_SETTINGS: Record<LimitName, LimitSetting> = {
  maxRequestBytes: { flag: 'max-request-bytes', default: 10 * MiB, min: 1024, max: 1024 * MiB },
  maxDepth: { flag: 'max-depth', default: 64, min: 8, max: 512 },
  maxDocumentBytes: { flag: 'max-document-bytes', default: MiB, min: 1024, max: 256 * MiB },
  maxResponseBytes: { flag: 'max-response-bytes', default: 8 * MiB, min: 1024, max: 1024 * MiB },
  cacheBytes: { flag: 'cache-bytes', default: 64 * MiB, min: 1024, max: 16 * 1024 * MiB },
  filterCacheBytes: { flag: 'filter-cache-bytes', default: 8 * MiB, min: 1024, max: 16 * 1024 * MiB },
  maxBulkOperations: { flag: 'max-bulk-operations', default: 1000, min: 1, max: 100_000 },
  maxPatchOperations: { flag: 'max-patch-operations', default: 1000, min: 1, max: 100_000 },
  maxPatchElements: { flag: 'max-patch-elements', default: 250_000, min: 1000, max: 1_000_000_000 },
  dbMmapBytes: { flag: 'db-mmap-bytes', default: 0, min: 0, max: 64 * 1024 * MiB },
}

export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze(
  Object.fromEntries(Object.entries(LIMIT_SETTINGS).map(([name, s]) => [name, s.default])) as unknown as Limits
)

/**
 * Refuses a limit a library caller hands in that no server could run with: not a whole number,
 * below 1 (0 for those whose flag takes 0) or past its flag's maximum (a maxRequestBytes of 0 made
 * every POST a 413). Below a flag's minimum stays allowed: small limits are how tests reach them.
 */
export function checkLimits(overrides: Partial<Limits> = {}): void {
  for (const [name, value] of Object.entries(overrides) as [LimitName, number | undefined][]) {
    const setting = LIMIT_SETTINGS[name]
    if (setting === undefined || value === undefined) continue
    const min = Math.min(1, setting.min)
    if (!(Number.isSafeInteger(value) && value >= min && value <= setting.max))
      throw new Error(`limits.${name} must be a whole number from ${min} to ${setting.max}, got ${String(value)}`)
  }
}

/** The defaults with some limits overridden (tests and embedders). */
export function limitsWith(overrides: Partial<Limits> = {}): Limits {
  return { ...DEFAULT_LIMITS, ...overrides }
}

/**
 * What Bun's own HTTP layer enforces: a backstop far above ours, so a body over our limit gets
 * our SCIM 413 (Bun's is an empty one). It can be large because the server never reads past
 * our limit, and Bun hands a request over before its body arrives (measured: a 500 MB upload
 * answered 413 in under 1 ms, resident memory unchanged).
 */
export function serverBodyBackstop(limits: Limits): number {
  return Math.max(4 * limits.maxRequestBytes, 1024 * MiB)
}

/** "the limit of 64 levels (max-depth)": the value and the setting to change it with. */
function named(name: LimitName, limits: Limits, unit: string): string {
  return `the limit of ${limits[name]} ${unit} (${LIMIT_SETTINGS[name].flag})`
}

/**
 * A request body or stored document over its byte limit: 413, which RFC 7644 §3.12 lists for
 * payloads over the server's limits. RFC 7644 defines no scimType for size (there is no
 * "tooLarge"; `tooMany` is about filter results), so the detail names the limit instead.
 */
function tooLarge(what: string, name: LimitName, limits: Limits): ScimError {
  return ScimError.payloadTooLarge(`${what} exceeds ${named(name, limits, 'bytes')}`)
}

/** Throws 413 when a request body of `bytes` (declared or read so far) is over the limit. */
export function checkRequestBytes(bytes: number, limits: Limits): void {
  if (bytes > limits.maxRequestBytes) throw tooLarge('request body', 'maxRequestBytes', limits)
}

/** A number in exponent form, as JavaScript writes it: sign, one digit, the other digits, signed exponent. */
const EXPONENT_NUMBER = /(-?)\d(?:\.(\d+))?e([+-]\d+)/g

/**
 * How many bytes more than in `json` (JSON.stringify's text) its numbers take written out in
 * plain decimal, as PostgreSQL's jsonb writes every number: JavaScript uses exponent form for
 * |n| ≥ 1e21 and 0 < |n| < 1e-6, so `1e+308` is 309 digits there and `5e-324` 326 characters,
 * each also after the space jsonb puts before a value. Only those numbers cost more: any other
 * document counts 0, so both stores accept the same documents and what either reads back is
 * bounded by the size limit. Linear: each match inside a string resumes the search past that string.
 */
export function exponentNumberBytes(json: string): number {
  let extra = 0
  let at = 0
  for (;;) {
    EXPONENT_NUMBER.lastIndex = at
    const m = EXPONENT_NUMBER.exec(json)
    if (!m) return extra
    // Skip the strings that start before the match; if one holds it, search on after it.
    let quote = json.indexOf('"', at)
    while (quote >= 0 && quote < m.index) {
      at = stringEnd(json, quote) + 1
      quote = at > m.index ? -1 : json.indexOf('"', at)
    }
    if (at > m.index) continue
    const digits = 1 + (m[2]?.length ?? 0)
    const exponent = Number(m[3])
    // 1.5e+300: 301 digits; 1.5e-7: "0.00000015", "0." then the point's shift in zeros, then the digits.
    const plain = exponent >= 0 ? Math.max(digits, exponent + 1) : 2 + -exponent - 1 + digits
    extra += m[1]!.length + plain + 1 - m[0].length
    at = m.index + m[0].length
  }
}

/** Throws 413 when a document about to be stored is over the limit; nothing is written. */
export function checkDocumentBytes(bytes: number, limits: Limits): void {
  if (bytes > limits.maxDocumentBytes) throw tooLarge('the resource after this change', 'maxDocumentBytes', limits)
}

/**
 * Most UTF-8 bytes of a value the stores index to find resources by: userName and a group's
 * displayName (case-folded) and externalId. Fixed, not a setting: PostgreSQL's btree refuses an
 * index row past 2,704 bytes (tenant and type share it), and both stores must accept the same
 * values. Entra's longest such values are UPNs of at most 113 characters and displayNames of 256.
 */
export const MAX_LOOKUP_VALUE_BYTES = 1024

/** Throws 400 invalidValue when `value` of `attribute` is over MAX_LOOKUP_VALUE_BYTES; nothing is written. */
export function checkLookupValue(attribute: string, value: string | null): void {
  // UTF-8 takes at most 3 bytes per UTF-16 unit: short values need no byte count.
  if (value === null || value.length * 3 <= MAX_LOOKUP_VALUE_BYTES) return
  if (Buffer.byteLength(value) <= MAX_LOOKUP_VALUE_BYTES) return
  throw ScimError.invalidValue(
    `${attribute} exceeds the limit of ${MAX_LOOKUP_VALUE_BYTES} bytes (UTF-8) for a value resources are looked up by`
  )
}

/** Whether a list page of `used` bytes may add a resource of `bytes`; the first always fits. */
export function fitsResponse(used: number, bytes: number, limits: Limits): boolean {
  return used === 0 || used + bytes <= limits.maxResponseBytes
}

/**
 * The nesting depth of JSON text, found by a linear scan that skips strings, so it is known
 * before JSON.parse or any recursive walk runs. Stops counting once past `stopAbove`. Text that
 * is not JSON still gets a number; the parser reports its syntax error afterwards.
 */
export function nestingDepth(text: string, stopAbove = Infinity): number {
  let depth = 0
  let deepest = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 0x22) i = stringEnd(text, i)
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > deepest && (deepest = depth) > stopAbove) return deepest
    } else if (c === 0x7d || c === 0x5d) depth--
  }
  return deepest
}

/** Index of the quote closing the string opened at `open` (or the end of the text). */
function stringEnd(text: string, open: number): number {
  let at = open
  for (;;) {
    at = text.indexOf('"', at + 1)
    if (at < 0) return text.length
    let backslashes = 0
    while (text.charCodeAt(at - 1 - backslashes) === 0x5c) backslashes++
    if (backslashes % 2 === 0) return at
  }
}

/**
 * Throws 400 invalidValue when a PATCH holds more operations than the limit. RFC 7644 has no
 * scimType for it (Bulk's maxOperations is a 413 of the whole payload); the operations themselves
 * are what is refused, so invalidValue, with the limit named.
 */
export function checkPatchOperations(count: number, limits: Limits): void {
  if (count > limits.maxPatchOperations) {
    throw ScimError.invalidValue(
      `a PATCH may hold ${named('maxPatchOperations', limits, 'operations')}; this one has ${count}`
    )
  }
}

/**
 * The element budget of one request: `spend(n)` before visiting n elements, 400 invalidValue once
 * the request as a whole would visit more than the limit. Nothing is written then. A Bulk request's
 * PATCHes draw on one (service/bulk.ts): each attempt of one spends from a budget of its own
 * started at what is left (`attempt()`), and only the attempt that ended is charged back, so a
 * store that runs a write again does not count it twice.
 */
export class ElementBudget {
  private left: number

  constructor(
    readonly limits: Limits,
    left = limits.maxPatchElements
  ) {
    this.left = left
  }

  spend(elements: number): void {
    this.left -= elements
    if (this.left < 0) {
      throw ScimError.invalidValue(
        `this request's PATCH operations would visit more than ${named('maxPatchElements', this.limits, 'elements')} of multi-valued attributes; send fewer operations per request`
      )
    }
  }

  /** A budget for one attempt at one PATCH, starting from what is left of this one. */
  attempt(): ElementBudget {
    return new ElementBudget(this.limits, this.left)
  }

  /** Takes what an attempt made from `attempt()` spent. */
  charge(attempt: ElementBudget): void {
    this.left = Math.min(this.left, attempt.left)
  }
}

/** Throws 400 invalidSyntax when JSON text (`what`: a request body, an imported line) nests deeper than the limit. */
export function checkDepth(text: string, limits: Limits, what = 'request body'): void {
  if (text.length <= limits.maxDepth) return
  if (nestingDepth(text, limits.maxDepth) > limits.maxDepth) {
    throw ScimError.invalidSyntax(`${what} nests deeper than ${named('maxDepth', limits, 'levels')}`)
  }
}
