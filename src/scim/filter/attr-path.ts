// RFC 7644 §3.10 attribute paths: split a URN-qualified, dotted path into uri, name and sub-attribute.
import type { AttrPath } from './ast'

const ATTR_NAME = /^(\$ref|[A-Za-z][A-Za-z0-9_-]*)$/

/**
 * Parses `urn:…:User:name.givenName` into { uri, name, sub }. The URN is everything before the
 * last colon (URNs contain dots, as in `2.0`, so dots are only read after it). Returns undefined
 * when the text is not a valid attribute path.
 */
export function parseAttrPath(text: string): AttrPath | undefined {
  const colon = text.lastIndexOf(':')
  const uri = colon >= 0 ? text.slice(0, colon) : undefined
  const rest = colon >= 0 ? text.slice(colon + 1) : text
  const parts = rest.split('.')
  if (parts.length > 2 || (uri !== undefined && !/^urn:/i.test(uri))) return undefined
  const [name, sub] = parts as [string, string | undefined]
  if (!ATTR_NAME.test(name) || (sub !== undefined && !ATTR_NAME.test(sub))) return undefined
  const path: AttrPath = { name }
  if (uri !== undefined) path.uri = uri
  if (sub !== undefined) path.sub = sub
  return path
}

/** Prints an attribute path back in canonical written form. */
export function printAttrPath(path: AttrPath): string {
  return `${path.uri !== undefined ? `${path.uri}:` : ''}${path.name}${path.sub !== undefined ? `.${path.sub}` : ''}`
}
