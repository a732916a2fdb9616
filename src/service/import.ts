// `scim-server import`: SCIM JSON lines back through the normal write path, idempotently.
import { deepEqual, isObject, type Doc } from '../scim/document'
import { foldCase } from '../scim/case-fold'
import { parseDateTime } from '../scim/datetime'
import { URN_ENTERPRISE_USER } from '../scim/constants'
import { ScimError, UnknownReferenceError } from '../scim/errors'
import { checkDepth } from '../scim/limits'
import { coerceResource } from '../scim/schema/coerce'
import type { ResourceType } from '../scim/schema/types'
import type { ServiceDeps, StoredResource } from './context'
import { createResource, type KeptIdentity } from './create'
import { awaited, type Effect } from './effect'
import { replaceResource } from './replace'
import type { RequestInfo } from './result'

export type LineOutcome = 'created' | 'updated' | 'unchanged'

export interface LineFailure {
  line: number
  error: ScimError
}

function typeOf(deps: ServiceDeps, body: Doc): ResourceType {
  const meta = isObject(body.meta) ? body.meta : {}
  const named = typeof meta.resourceType === 'string' ? deps.registry.resourceType(meta.resourceType) : undefined
  if (named) return named
  const schemas = Array.isArray(body.schemas) ? body.schemas.map((s) => String(s).toLowerCase()) : []
  const type = deps.registry.resourceTypes.find((t) => schemas.includes(t.core.lowerId))
  if (!type)
    throw ScimError.invalidValue(
      'the line names no resource type: give meta.resourceType or the core schema URN in schemas'
    )
  return type
}

/**
 * The stored resources this import's lines already stand for: stored id → the exported id of the
 * line that created or matched it ('' for a line without one).
 */
export type ClaimedIds = Map<string, string>

/**
 * The stored resource this line is: same id, else same userName / displayName, else same
 * externalId. A name or externalId match that an earlier line with another exported id already
 * stands for is another resource: two groups may share a displayName (RFC 7643 gives it no
 * uniqueness), and an export holding both imported the second onto the first and lost it.
 */
function* matchOf(
  deps: ServiceDeps,
  type: ResourceType,
  body: Doc,
  claimed: ClaimedIds
): Effect<StoredResource | undefined> {
  const exported = typeof body.id === 'string' ? body.id : ''
  if (exported !== '') {
    const byId = yield* deps.store.get(type, exported)
    if (byId) return byId
  }
  const free = (found: readonly StoredResource[]) => found.find((r) => (claimed.get(r.id) ?? exported) === exported)
  const nameAttr = type.name === 'User' ? 'userName' : 'displayName'
  const name = body[nameAttr]
  const byName = typeof name === 'string' ? free(yield* deps.store.findByName(type, foldCase(name))) : undefined
  if (byName) return byName
  return typeof body.externalId === 'string'
    ? free(yield* deps.store.findByExternalId(type, body.externalId))
    : undefined
}

/**
 * Ids a line may keep: one URL path segment as written, with no character that needs
 * percent-encoding (RFC 3986 §3.3 pchar), so `meta.location` and `/Users/{id}` name it as
 * served; at most the bytes of a value resources are looked up by. Others (an empty id, one with
 * `/`, `?`, a space) get a fresh id, as a line without meta does.
 */
const KEEPABLE_ID = /^[A-Za-z0-9._~!$&'()*+,;=:@-]{1,1024}$/

/**
 * What matchOf may find `text`'s resource by (id, userName or displayName folded, externalId), as
 * strings: two lines that share one may name the same resource, so the import runs them in file
 * order. Kept coarse (any type): a shared key only costs running two lines one after the other.
 */
export function lineKeys(text: string): string[] {
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    return []
  }
  if (!isObject(body)) return []
  const keys: string[] = []
  // An empty string names nothing (it is stored as unassigned): lines sharing one need no order.
  const named = (v: unknown): v is string => typeof v === 'string' && v !== ''
  if (named(body.id)) keys.push(`id ${body.id}`)
  const name = named(body.userName) ? body.userName : body.displayName
  if (named(name)) keys.push(`name ${foldCase(name)}`)
  if (named(body.externalId)) keys.push(`externalId ${body.externalId}`)
  return keys
}

/** The id, version and timestamps of an exported line, kept when the resource is new here and they are ones the server serves. */
function keptIdentity(body: Doc): KeptIdentity | undefined {
  const meta = isObject(body.meta) ? body.meta : {}
  const version = typeof meta.version === 'string' ? Number(/^W\/"(\d+)/.exec(meta.version)?.[1]) : NaN
  if (
    typeof body.id !== 'string' ||
    !KEEPABLE_ID.test(body.id) ||
    typeof meta.created !== 'string' ||
    typeof meta.lastModified !== 'string' ||
    // meta's times are xsd:dateTimes (RFC 7643 §3.1): filters and sortBy compare them as instants.
    parseDateTime(meta.created) === undefined ||
    parseDateTime(meta.lastModified) === undefined ||
    !Number.isSafeInteger(version)
  )
    return undefined
  return { id: body.id, version, created: meta.created, lastModified: meta.lastModified }
}

function* sameMembers(deps: ServiceDeps, type: ResourceType, existing: StoredResource, body: Doc): Effect<boolean> {
  if (type.name !== 'Group' || body.members === undefined) return true
  const now = (yield* deps.store.members(existing.id)).map((m) => m.value).sort()
  const sent = (Array.isArray(body.members) ? body.members : []).map((m) => (isObject(m) ? String(m.value) : '')).sort()
  return deepEqual(now, sent)
}

/**
 * Imports one JSON line (atomic on its own). A resource that exists already is replaced, or left
 * alone when the line would change nothing, so importing the same file twice is a no-op; a new
 * one is created with the exported id and meta, so export → import → export gives the same file.
 */
/** A resource an import created with its exported identity, to be given that identity back at the end. */
export interface KeptResource {
  type: ResourceType
  /** Absent for a group openMemberCycles created under a fresh id: nothing to give back. */
  identity?: KeptIdentity
  /** Created empty by openMemberCycles: its own line fills it in, and counts as its creation. */
  opened?: boolean
}

/** The resources an import created with their exported identities, by id. */
export type KeptResources = Map<string, KeptResource>

/**
 * Exported ids that stand for other ids here: ids are unique across the tenants of a database, so
 * a tenant's export imported into another tenant of the same database gets fresh ids (and so does
 * a resource matched by name under another id). Later lines' member and manager values follow.
 */
export type RenamedIds = Map<string, string>

/** The line with its member and manager values mapped through `renamed`. */
function followRenames(body: Doc, renamed: RenamedIds): Doc {
  if (renamed.size === 0) return body
  const rename = (ref: unknown) =>
    isObject(ref) && typeof ref.value === 'string' && renamed.has(ref.value)
      ? { ...ref, value: renamed.get(ref.value) }
      : ref
  const out: Doc = { ...body }
  if (Array.isArray(body.members)) out.members = body.members.map(rename)
  const enterprise = body[URN_ENTERPRISE_USER]
  if (isObject(enterprise) && enterprise.manager !== undefined)
    out[URN_ENTERPRISE_USER] = { ...enterprise, manager: rename(enterprise.manager) }
  return out
}

export function* importLine(
  deps: ServiceDeps,
  text: string,
  req: RequestInfo,
  kept: KeptResources,
  renamed: RenamedIds = new Map(),
  claimed: ClaimedIds = new Map()
): Effect<LineOutcome> {
  // As a request body is (http/plugins/scim-json.ts): a document nested 1,000 levels is refused
  // by SQLite's JSON functions, and once stored would break every query that reads it.
  checkDepth(text, deps.settings.limits, 'the line')
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    throw ScimError.invalidSyntax('the line is not valid JSON')
  }
  if (!isObject(parsed)) throw ScimError.invalidSyntax('each line is one JSON object: a SCIM resource')
  const body = followRenames(parsed, renamed)
  const type = typeOf(deps, body)
  const existing = yield* matchOf(deps, type, body, claimed)
  const exportedId = typeof body.id === 'string' ? body.id : undefined
  if (!existing) {
    const id = yield* createLine(deps, type, body, req, kept, renamed)
    claimed.set(id, exportedId ?? '')
    return 'created'
  }
  claimed.set(existing.id, exportedId ?? '')
  if (exportedId !== undefined && existing.id !== exportedId) renamed.set(exportedId, existing.id)
  const opened = kept.get(existing.id)
  if (opened?.opened) {
    // The group openMemberCycles made empty for this line: filled in now, under its kept meta.
    opened.opened = false
    yield* replaceResource(deps, type, existing.id, body, req)
    return 'created'
  }
  const { doc } = coerceResource(type, body, { mode: 'replace', existing: existing.data })
  if (deepEqual(doc, existing.data) && (yield* sameMembers(deps, type, existing, body))) return 'unchanged'
  // A later line of the file replaced it: its exported meta describes what the first line held,
  // and putting that version back at the end would serve one version for two contents.
  kept.delete(existing.id)
  yield* replaceResource(deps, type, existing.id, body, req)
  return 'updated'
}

/** Creates the line's resource, under its exported identity when it may keep it; returns the id it got. */
function* createLine(
  deps: ServiceDeps,
  type: ResourceType,
  body: Doc,
  req: RequestInfo,
  kept: KeptResources,
  renamed: RenamedIds,
  opened = false
): Effect<string> {
  const exportedId = typeof body.id === 'string' ? body.id : undefined
  const identity = keptIdentity(body)
  if (identity) {
    try {
      yield* createResource(deps, type, body, req, identity)
      kept.set(identity.id, { type, identity, opened })
      return identity.id
    } catch (err) {
      // The id is another tenant's (matchOf saw none of this one's): a fresh id, below.
      if (!(err instanceof ScimError && err.scimType === 'uniqueness')) throw err
    }
  }
  const created = yield* createResource(deps, type, body, req)
  const id = String((created.body as { id?: unknown }).id)
  if (exportedId !== undefined && id !== exportedId) renamed.set(exportedId, id)
  if (opened) kept.set(id, { type, opened })
  return id
}

/**
 * Puts back the exported version and lastModified of what the import created. Lines that came
 * later (a group listing a user, a report naming its manager) changed how earlier resources are
 * served, so the store moved their versions on; once the whole file is in, each is served as it
 * was exported, and its exported meta is the true one again.
 */
export function* restoreKeptMeta(deps: ServiceDeps, kept: KeptResources): Effect<void> {
  const all = [...kept.values()]
  for (let at = 0; at < all.length; at += 500) {
    yield* awaited(
      deps.store.write(function* (tx) {
        for (const { type, identity } of all.slice(at, at + 500)) {
          if (!identity) continue
          const now = yield* tx.get(type, identity.id)
          if (!now || (now.version === identity.version && now.lastModified === identity.lastModified)) continue
          yield* tx.update(type, now, { ...now, version: identity.version, lastModified: identity.lastModified })
        }
      })
    )
  }
}

/** The member values of a group line, as the line's own import will send them. */
function memberValues(body: Doc): string[] {
  return (Array.isArray(body.members) ? body.members : []).flatMap((m) =>
    isObject(m) && typeof m.value === 'string' ? [m.value] : []
  )
}

/**
 * Groups whose lines wait on each other (A a member of B and B of A, which the server accepts)
 * never resolve line by line: each needs the other to exist first, and an export holding them
 * lost both on import. Creates those groups empty, under their exported identities, when every
 * member they list exists or is one of them; their own lines then fill them in (and count as
 * their creation). A line naming a resource that neither exists nor is one of them is left to
 * fail whole, so no group is left half-imported. Returns how many groups it created.
 */
export function* openMemberCycles(
  deps: ServiceDeps,
  texts: readonly string[],
  req: RequestInfo,
  kept: KeptResources,
  renamed: RenamedIds,
  claimed: ClaimedIds
): Effect<number> {
  const waiting = new Map<string, { type: ResourceType; body: Doc }>()
  for (const text of texts) {
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch {
      continue
    }
    if (!isObject(parsed) || typeof parsed.id !== 'string') continue
    const body = followRenames(parsed, renamed)
    const type = deps.registry.resourceTypes.find((t) => t.name === 'Group')
    if (!type || typeOf(deps, body) !== type) continue
    if (!(yield* matchOf(deps, type, body, claimed))) waiting.set(parsed.id, { type, body })
  }
  const known = new Map<string, boolean>()
  function* exists(id: string): Effect<boolean> {
    let found = known.get(id)
    if (found === undefined) {
      found = false
      for (const t of deps.registry.resourceTypes) if (yield* deps.store.get(t, id)) found = true
      known.set(id, found)
    }
    return found
  }
  // The largest set of waiting groups whose members all exist or are in the set.
  for (let dropped = true; dropped; ) {
    dropped = false
    for (const [id, { body }] of waiting) {
      for (const value of memberValues(body)) {
        if (waiting.has(value) || (yield* exists(value))) continue
        waiting.delete(id)
        dropped = true
        break
      }
    }
  }
  let opened = 0
  for (const [exported, { type, body }] of waiting) {
    try {
      claimed.set(yield* createLine(deps, type, { ...body, members: [] }, req, kept, renamed, true), exported)
      opened++
    } catch (err) {
      // Its line fails on its own with this error when it runs again.
      if (!(err instanceof ScimError)) throw err
    }
  }
  return opened
}

/** An error that a later line may cure: a reference to a resource the file creates further on. */
export function mayResolveLater(error: ScimError): boolean {
  return error instanceof UnknownReferenceError
}
