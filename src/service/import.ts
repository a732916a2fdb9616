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

/** The stored resource this line is: same id, else same userName / displayName, else same externalId. */
function* matchOf(deps: ServiceDeps, type: ResourceType, body: Doc): Effect<StoredResource | undefined> {
  if (typeof body.id === 'string') {
    const byId = yield* deps.store.get(type, body.id)
    if (byId) return byId
  }
  const nameAttr = type.name === 'User' ? 'userName' : 'displayName'
  const name = body[nameAttr]
  const byName = typeof name === 'string' ? (yield* deps.store.findByName(type, foldCase(name)))[0] : undefined
  if (byName) return byName
  return typeof body.externalId === 'string'
    ? (yield* deps.store.findByExternalId(type, body.externalId))[0]
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
  identity: KeptIdentity
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
  renamed: RenamedIds = new Map()
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
  const existing = yield* matchOf(deps, type, body)
  const exportedId = typeof body.id === 'string' ? body.id : undefined
  if (!existing) {
    const identity = keptIdentity(body)
    if (identity) {
      try {
        yield* createResource(deps, type, body, req, identity)
        kept.set(identity.id, { type, identity })
        return 'created'
      } catch (err) {
        // The id is another tenant's (matchOf saw none of this one's): a fresh id, below.
        if (!(err instanceof ScimError && err.scimType === 'uniqueness')) throw err
      }
    }
    const created = yield* createResource(deps, type, body, req)
    const id = (created.body as { id?: unknown }).id
    if (exportedId !== undefined && typeof id === 'string' && id !== exportedId) renamed.set(exportedId, id)
    return 'created'
  }
  if (exportedId !== undefined && existing.id !== exportedId) renamed.set(exportedId, existing.id)
  const { doc } = coerceResource(type, body, { mode: 'replace', existing: existing.data })
  if (deepEqual(doc, existing.data) && (yield* sameMembers(deps, type, existing, body))) return 'unchanged'
  // A later line of the file replaced it: its exported meta describes what the first line held,
  // and putting that version back at the end would serve one version for two contents.
  kept.delete(existing.id)
  yield* replaceResource(deps, type, existing.id, body, req)
  return 'updated'
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
          const now = yield* tx.get(type, identity.id)
          if (!now || (now.version === identity.version && now.lastModified === identity.lastModified)) continue
          yield* tx.update(type, now, { ...now, version: identity.version, lastModified: identity.lastModified })
        }
      })
    )
  }
}

/** An error that a later line may cure: a reference to a resource the file creates further on. */
export function mayResolveLater(error: ScimError): boolean {
  return error instanceof UnknownReferenceError
}
