// What any stored document may hold, whatever its schema: keys a path can name, text that is Unicode.
import { ScimError } from './errors'
import { parseAttrPath } from './filter/attr-path'

// `[` `]` would read as a value filter in any later path; C0 controls and DEL have no place in a key.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this refuses
const BAD_KEY = /[[\]\u0000-\u001f\u007f]/
// A lone surrogate (JSON allows `\ud800`) is not Unicode text; NUL ends strings in C consumers.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/
const NUL = '\u0000'

/** Text a document may hold: well-formed Unicode without NUL (what every write checks, and what a filter may compare with). */
export function isStorableText(text: string): boolean {
  return !text.includes(NUL) && !LONE_SURROGATE.test(text)
}

function shown(text: string): string {
  const clipped = text.length > 40 ? `${text.slice(0, 40)}…` : text
  return JSON.stringify(clipped)
}

const PLAIN_NAME = /^[A-Za-z][A-Za-z0-9_-]*$/

/**
 * A document's own keys are attributes and extension URNs, and a later PUT, PATCH or import names
 * each of them as a path: a key parseAttrPath does not read as a name or `urn:…:name` (RFC 7644
 * §3.10) could never be written again. Body keys are paths already; this catches the holder a
 * URN-qualified key implies, such as `urn:x` for `urn:x:y`, whose URN has no second part.
 */
function checkTopKeys(doc: Record<string, unknown>): void {
  for (const key of Object.keys(doc)) {
    // A plain attribute name (RFC 7643 §2.1 ATTRNAME) is a path as it is: every write's handful of
    // keys, which parsing each cost ~0.4 µs a write. Only the others (URN-qualified) are parsed.
    if (PLAIN_NAME.test(key)) continue
    const path = parseAttrPath(key)
    if (path === undefined || path.sub !== undefined)
      throw ScimError.invalidPath(
        `the key ${shown(key)} cannot be stored: no attribute path names it (a URN-qualified key is urn:<namespace>:…:<name>)`
      )
  }
}

/**
 * In JSON text with no backslash, a bracket followed by no quote until `":` sits inside a string that
 * a colon follows: a key. Structural brackets are followed by a quote that opens a value instead.
 */
const BRACKET_KEY_IN_PLAIN_TEXT = /[[\]][^"]*":/

/**
 * JSON.stringify writes a non-finite number as `null`; stored documents seldom hold a null (only
 * deep inside an undeclared value), so text with one takes the walk, which sees the number itself.
 */
const NULL_VALUE = /[:,[]null[,\]}]/

/**
 * checkStorable for a document and its JSON text, cheaply: text without a single backslash has no
 * escaped character (no control character, no lone surrogate, no NUL), and text without a null
 * value has no non-finite number, so only keys with brackets and top-level keys can be wrong; a
 * regular expression over the text finds the first, a look at the few top-level keys the second.
 * Other text takes the walk.
 */
export function checkStorableText(doc: Record<string, unknown>, json: string): void {
  if (json.includes('\\') || BRACKET_KEY_IN_PLAIN_TEXT.test(json) || NULL_VALUE.test(json)) return checkStorable(doc)
  checkTopKeys(doc)
}

/**
 * Rejects a document that later reads could not serve faithfully: a key with brackets or control
 * characters anywhere or a top-level key no attribute path names (400 invalidPath), or a string
 * that is not well-formed Unicode or holds NUL, or a number that is not finite (400 invalidValue).
 * Coercion keeps undeclared values as sent; this is the one check that runs over all of them, at
 * the point every write stores its document. Iterative, so depth is no risk.
 */
export function checkStorable(doc: Record<string, unknown>): void {
  checkTopKeys(doc)
  const stack: unknown[] = [doc]
  while (stack.length > 0) {
    const v = stack.pop()
    if (typeof v === 'string') {
      if (!isStorableText(v))
        throw ScimError.invalidValue(`the value ${shown(v)} is not well-formed Unicode text without NUL`)
    } else if (typeof v === 'number') {
      // JSON.parse reads 1e400 as Infinity, which JSON.stringify would write as null.
      if (!Number.isFinite(v)) throw ScimError.invalidValue(`a number is too large to store: ${v}`)
    } else if (Array.isArray(v)) {
      for (const item of v) stack.push(item)
    } else if (v !== null && typeof v === 'object') {
      for (const [key, item] of Object.entries(v)) {
        if (BAD_KEY.test(key) || LONE_SURROGATE.test(key))
          throw ScimError.invalidPath(
            `the key ${shown(key)} cannot be stored: a key may not contain brackets or control characters`
          )
        stack.push(item)
      }
    }
  }
}
