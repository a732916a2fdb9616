// RFC 7644 §3.5.2 PATCH path: PATH = attrPath / valuePath [subAttr], reusing the filter parser.
import { ScimError } from '../errors'
import type { PatchPath } from '../filter/ast'
import { parseAttrPath } from '../filter/attr-path'
import { parseValueFilter } from '../filter/parser'

/**
 * Parses a PATCH `path`. Malformed paths and filters are `invalidPath` (the client's path, not a
 * query filter, is what was wrong).
 * @example parsePatchPath('emails[type eq "work"].value') // { path: {name:'emails'}, filter, sub: 'value' }
 */
export function parsePatchPath(text: string): PatchPath {
  const trimmed = text.trim()
  const open = trimmed.indexOf('[')
  if (open < 0) {
    const path = parseAttrPath(trimmed)
    if (!path) throw ScimError.invalidPath(`invalid path '${text}'`)
    return { path }
  }
  const close = trimmed.lastIndexOf(']')
  const path = parseAttrPath(trimmed.slice(0, open))
  if (!path || path.sub !== undefined || close < open) throw ScimError.invalidPath(`invalid path '${text}'`)
  let filter
  try {
    filter = parseValueFilter(trimmed.slice(open + 1, close))
  } catch (err) {
    const detail = err instanceof ScimError ? err.detail : String(err)
    throw ScimError.invalidPath(`invalid value filter in path '${text}': ${detail}`)
  }
  const rest = trimmed.slice(close + 1)
  if (rest === '') return { path, filter }
  const sub = /^\.(\$ref|[A-Za-z][A-Za-z0-9_\-]*)$/.exec(rest)?.[1]
  if (!sub) throw ScimError.invalidPath(`invalid path '${text}': unexpected '${rest}' after ']'`)
  return { path, filter, sub }
}
