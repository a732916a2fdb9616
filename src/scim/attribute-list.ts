// RFC 7644 §3.4.2.5 `attributes` / `excludedAttributes` lists, read leniently (`emails[type eq "work"]`).
import { ScimError, quoted } from './errors'
import { parseAttrPath, printAttrPath } from './filter/attr-path'
import { DEFAULT_FILTER_LIMITS } from './filter/parser'
import { resolveValueFilter, type ResolvedFilter } from './filter/resolve'
import { parsePatchPath } from './path/parse'
import type { CompiledAttribute, ResourceType } from './schema/types'

/** One thing a list names of an attribute: some or all of its sub-attributes, in some or all of its elements. */
export interface Pick {
  /** Lower-cased sub-attribute names; undefined: all of them. */
  subs?: ReadonlySet<string>
  /** Only the elements this inner filter matches; undefined: every element. */
  filter?: ResolvedFilter
}

/**
 * Attribute key → what the list names of it. The key is the lower-cased name, URN-qualified for an
 * extension attribute (keyOf); a bare lower-cased URN names a whole extension. `[{}]` is the whole attribute.
 */
export type Selection = ReadonlyMap<string, readonly Pick[]>

/** Selection key of a top-level attribute: its lower-cased name, URN-qualified for extensions. */
export function keyOf(urn: string | undefined, name: string): string {
  return urn === undefined ? name.toLowerCase() : `${urn.toLowerCase()}:${name.toLowerCase()}`
}

/** The declared attribute a key's parts name: core or common when `urn` is undefined, else the extension's. */
export function definitionOf(type: ResourceType, urn: string | undefined, name: string): CompiledAttribute | undefined {
  const lower = name.toLowerCase()
  if (urn === undefined) return type.common.get(lower) ?? type.core.attributes.get(lower)
  return type.extensions.get(urn.toLowerCase())?.schema.attributes.get(lower)
}

/**
 * Splits at commas outside brackets: `emails[value co ","]` is one item. Quotes only count inside
 * brackets, where they are filter strings; outside, text that is no name is ignored as before.
 */
function splitList(list: string, param: string): string[] {
  const items: string[] = []
  let depth = 0
  let inString = false
  let start = 0
  for (let i = 0; i < list.length; i++) {
    const c = list[i]
    if (inString) {
      if (c === '\\') i++
      else if (c === '"') inString = false
    } else if (c === '[') depth++
    else if (depth > 0 && c === ']') depth--
    else if (depth > 0 && c === '"') inString = true
    else if (depth === 0 && c === ',') {
      items.push(list.slice(start, i))
      start = i + 1
    }
  }
  if (depth !== 0) throw ScimError.invalidValue(`${param}: unclosed '[' or quote in ${quoted(list)}`)
  items.push(list.slice(start))
  return items
}

function coreOrUri(type: ResourceType, uri: string | undefined): string | undefined {
  return uri === undefined || uri.toLowerCase() === type.core.lowerId ? undefined : uri
}

/**
 * `emails[type eq "work"]` or `emails[type eq "work"].value`: the elements the filter matches (the
 * value-path grammar of PATCH, RFC 7644 §3.5.2). A path that does not parse, or a filter the
 * attribute cannot take, is the client's parameter that is wrong: invalidValue.
 */
function readValuePath(type: ResourceType, text: string, param: string): { key: string; pick: Pick } {
  let parsed
  try {
    parsed = parsePatchPath(text)
  } catch (err) {
    if (err instanceof ScimError) throw ScimError.invalidValue(`${param}: ${err.detail}`)
    throw err
  }
  const urn = coreOrUri(type, parsed.path.uri)
  const attr = definitionOf(type, urn, parsed.path.name)
  const shown = printAttrPath(parsed.path)
  if (attr?.type !== 'complex')
    throw ScimError.invalidValue(`${param}: ${quoted(shown)} is not a complex attribute, so it cannot take a [filter]`)
  let filter: ResolvedFilter
  try {
    filter = resolveValueFilter(parsed.filter!, attr)
  } catch (err) {
    if (err instanceof ScimError)
      throw ScimError.invalidValue(`${param}: invalid filter on ${quoted(shown)}: ${err.detail}`)
    throw err
  }
  const subs = parsed.sub === undefined ? undefined : new Set([parsed.sub.toLowerCase()])
  return { key: keyOf(urn, parsed.path.name), pick: subs ? { subs, filter } : { filter } }
}

function add(selection: Map<string, Pick[]>, key: string, pick: Pick): void {
  const picks = selection.get(key)
  const whole = pick.subs === undefined && pick.filter === undefined
  if (!picks || whole) selection.set(key, [pick])
  else if (!picks.some((p) => p.subs === undefined && p.filter === undefined)) picks.push(pick)
}

/**
 * Parses a comma-separated attribute list (`param` names it in errors). Plain names it cannot read
 * are ignored (RFC 7644 leaves it open); a bracketed value path must be valid.
 */
export function parseAttributeList(type: ResourceType, list: string | undefined, param: string): Selection | undefined {
  if (list === undefined || list.trim() === '') return undefined
  // The filter length limit: a list is client text parsed like one, and may hold value filters.
  const max = DEFAULT_FILTER_LIMITS.maxLength
  if (list.length > max) throw ScimError.invalidValue(`${param} is longer than ${max} characters`)
  const selection = new Map<string, Pick[]>()
  for (const raw of splitList(list, param)) {
    const text = raw.trim()
    if (text === '') continue
    // A declared extension URN selects the whole extension. An undeclared one parses as
    // uri + last segment, whose key is the same lower-cased URN, so it selects the whole too.
    if (type.extensions.has(text.toLowerCase())) {
      add(selection, text.toLowerCase(), {})
      continue
    }
    // The core schema's URN names every core attribute, as an extension's URN names the extension.
    if (text.toLowerCase() === type.core.lowerId) {
      for (const attr of type.core.attributes.values()) add(selection, keyOf(undefined, attr.name), {})
      continue
    }
    if (text.includes('[')) {
      const { key, pick } = readValuePath(type, text, param)
      add(selection, key, pick)
      continue
    }
    const path = parseAttrPath(text)
    if (!path) continue
    add(
      selection,
      keyOf(coreOrUri(type, path.uri), path.name),
      path.sub === undefined ? {} : { subs: new Set([path.sub.toLowerCase()]) }
    )
  }
  return selection
}
