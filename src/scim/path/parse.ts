// RFC 7644 §3.5.2 PATCH path: PATH = attrPath / valuePath [subAttr], reusing the filter parser.
import { ScimError, quoted } from '../errors'
import type { PatchPath } from '../filter/ast'
import { parseAttrPath } from '../filter/attr-path'
import { DEFAULT_FILTER_LIMITS, parseValueFilter } from '../filter/parser'

/**
 * Parses a PATCH `path`. Malformed paths and filters are `invalidPath` (the client's path, not a
 * query filter, is what was wrong). A path is held to the filter length limit, since its value
 * filter is one.
 * @example parsePatchPath('emails[type eq "work"].value') // { path: {name:'emails'}, filter, sub: 'value' }
 */
export function parsePatchPath(text: string): PatchPath {
  const max = DEFAULT_FILTER_LIMITS.maxLength
  if (text.length > max) throw ScimError.invalidPath(`path is longer than ${max} characters`)
  const trimmed = text.trim()
  const open = trimmed.indexOf('[')
  if (open < 0) {
    const path = parseAttrPath(trimmed)
    if (!path) throw ScimError.invalidPath(`invalid path ${quoted(text)}`)
    return { path }
  }
  const close = trimmed.lastIndexOf(']')
  const path = parseAttrPath(trimmed.slice(0, open))
  if (!path || path.sub !== undefined || close < open) throw ScimError.invalidPath(`invalid path ${quoted(text)}`)
  let filter
  try {
    filter = parseValueFilter(trimmed.slice(open + 1, close))
  } catch (err) {
    // Only the client's mistakes become invalidPath; anything else is a fault to surface as such.
    if (!(err instanceof ScimError)) throw err
    throw ScimError.invalidPath(`invalid value filter in path ${quoted(text)}: ${err.detail}`)
  }
  const rest = trimmed.slice(close + 1)
  if (rest === '') return { path, filter }
  const sub = /^\.(\$ref|[A-Za-z][A-Za-z0-9_-]*)$/.exec(rest)?.[1]
  if (!sub) throw ScimError.invalidPath(`invalid path ${quoted(text)}: unexpected ${quoted(rest)} after ']'`)
  return { path, filter, sub }
}
