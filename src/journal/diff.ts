// The attribute-level change between two stored documents, and putting changes back on a document.
import { deepEqual, isObject, type Doc } from '../scim/document'
import { sortedKeys, sortKeys } from './keys'
import type { JournalChange } from './types'

/**
 * Never journaled at any depth: a request's password must not reach an entry, even though the
 * store does not keep it (RFC 7643 §4.1.1: returned "never").
 */
function hidden(key: string): boolean {
  return key.length === 8 && key.toLowerCase() === 'password'
}

/** Extension attributes sit under their schema URN (RFC 7643 §3.3); their paths are `URN:attr`. */
function isUrn(key: string): boolean {
  return key.toLowerCase().startsWith('urn:')
}

/** The keys of either object, sorted; a create or a delete (one side absent) needs no merging. */
function unionKeys(before: Doc | undefined, after: Doc | undefined): string[] {
  if (before === undefined) return sortedKeys(after ?? {})
  const keys = Object.keys(before)
  if (after !== undefined) for (const k of Object.keys(after)) if (!Object.hasOwn(before, k)) keys.push(k)
  return sortKeys(keys)
}

/** Whether `sub` is a path the schema returns never (neverReturnedPaths), when it has any. */
function unreturned(hide: ReadonlySet<string> | undefined, sub: string): boolean {
  return hide?.has(sub.toLowerCase()) === true
}

/**
 * `value` at `path` without what `hide` names below it: a multi-valued complex attribute changes
 * as a whole, so a sub-attribute its schema returns never is taken out of each element.
 */
function shown(value: unknown, path: string, hide: ReadonlySet<string> | undefined): unknown {
  if (hide === undefined || !Array.isArray(value)) return value
  const prefix = `${path.toLowerCase()}.`
  return value.map((element) =>
    isObject(element)
      ? Object.fromEntries(Object.entries(element).filter(([k]) => !hide.has(prefix + k.toLowerCase())))
      : element
  )
}

function walk(
  before: unknown,
  after: unknown,
  path: string,
  sep: string,
  out: JournalChange[],
  hide: ReadonlySet<string> | undefined
): void {
  // Complex values are followed down to their sub-attributes, so a changed givenName is
  // name.givenName and not the whole name; multi-valued attributes change as a whole (their
  // elements have no stable identity to name in a path).
  if ((isObject(before) || before === undefined) && (isObject(after) || after === undefined)) {
    const b = (before ?? {}) as Doc
    const a = (after ?? {}) as Doc
    for (const key of unionKeys(before as Doc | undefined, after as Doc | undefined)) {
      if (hidden(key)) continue
      const sub = path === '' ? key : `${path}${sep}${key}`
      if (unreturned(hide, sub)) continue
      walk(b[key], a[key], sub, path === '' && isUrn(key) ? ':' : '.', out, hide)
    }
    return
  }
  if (deepEqual(before, after)) return
  const change: JournalChange = { path }
  if (before !== undefined) change.before = shown(before, path, hide)
  if (after !== undefined) change.after = shown(after, path, hide)
  // Only a hidden sub-attribute of its elements changed: nothing to tell.
  if (hide !== undefined && deepEqual(change.before, change.after)) return
  out.push(change)
}

/**
 * What walk() finds when one side is absent, without comparing: every leaf of `doc` is a change,
 * its value on `side`. Every create lists its whole document so; half the cost of the walk.
 */
function list(
  doc: Doc,
  path: string,
  sep: string,
  side: 'before' | 'after',
  out: JournalChange[],
  hide: ReadonlySet<string> | undefined
): void {
  for (const key of sortedKeys(doc)) {
    if (hidden(key)) continue
    const value = doc[key]
    if (value === undefined) continue
    const sub = path === '' ? key : `${path}${sep}${key}`
    if (unreturned(hide, sub)) continue
    if (isObject(value)) list(value, sub, path === '' && isUrn(key) ? ':' : '.', side, out, hide)
    else {
      const kept = shown(value, sub, hide)
      out.push(side === 'after' ? { path: sub, after: kept } : { path: sub, before: kept })
    }
  }
}

/**
 * The changes from `before` to `after` (either absent for a create or a delete), one per leaf
 * path as a PATCH would name it: `displayName`, `name.givenName`, `emails` (whole),
 * `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value`. Sorted by path.
 * Paths in `hide` (lower-cased; scim/schema/never-returned.ts) are left out, with all below them.
 */
export function diffDocuments(
  before: Doc | undefined,
  after: Doc | undefined,
  hide?: ReadonlySet<string>
): JournalChange[] {
  const out: JournalChange[] = []
  if (before === undefined && after !== undefined) list(after, '', '.', 'after', out, hide)
  else if (after === undefined && before !== undefined) list(before, '', '.', 'before', out, hide)
  else walk(before, after, '', '.', out, hide)
  return out
}

/** The path of one group member: `members[value eq "id"]` (RFC 7644 §3.5.2 value filter). */
export function memberPath(id: string): string {
  return `members[value eq ${JSON.stringify(id)}]`
}

/** The member id a `members[value eq "id"]` path names, or undefined for any other path. */
export function memberOfPath(path: string): string | undefined {
  const m = /^members\[value eq ("(?:[^"\\]|\\.)*")\]$/.exec(path)
  return m ? (JSON.parse(m[1]!) as string) : undefined
}

/** One member that joined (`added`) or left a group. */
export interface MemberDelta {
  id: string
  type: string
  added: boolean
}

/** Membership changes as journal changes: the member object after when it joined, before when it left. */
export function memberChanges(deltas: readonly MemberDelta[]): JournalChange[] {
  return deltas.map((d) => {
    const member = { value: d.id, type: d.type }
    return d.added ? { path: memberPath(d.id), after: member } : { path: memberPath(d.id), before: member }
  })
}

/** The keys a document path (as diffDocuments writes it) walks: the extension URN first, then attributes. */
function keysOf(path: string): string[] {
  if (!isUrn(path)) return path.split('.')
  const cut = path.lastIndexOf(':')
  return [path.slice(0, cut), ...path.slice(cut + 1).split('.')]
}

/** The value at `path` of `doc`, undefined when it has none. */
export function pathValue(doc: Doc, path: string): unknown {
  let at: unknown = doc
  for (const key of keysOf(path)) at = isObject(at) ? at[key] : undefined
  return at
}

/**
 * Sets `path` of `doc` to `value`, or removes it when `value` is undefined (and any object it
 * leaves empty): the inverse of diffDocuments, used to rebuild a document from entries.
 */
export function putPath(doc: Doc, path: string, value: unknown): void {
  const keys = keysOf(path)
  const parents: Doc[] = [doc]
  let at: Doc = doc
  for (const key of keys.slice(0, -1)) {
    if (!isObject(at[key])) {
      if (value === undefined) return
      at[key] = {}
    }
    at = at[key] as Doc
    parents.push(at)
  }
  const last = keys[keys.length - 1]!
  if (value !== undefined) {
    at[last] = structuredClone(value)
    return
  }
  delete at[last]
  for (let i = parents.length - 1; i > 0; i--) {
    if (Object.keys(parents[i]!).length > 0) break
    delete parents[i - 1]![keys[i - 1]!]
  }
}
