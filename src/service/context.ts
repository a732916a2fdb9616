// What services depend on: the store interface (implemented in src/store), registry and settings.
import type { Registry } from '../scim/schema/registry'
import type { ResourceType } from '../scim/schema/types'
import type { Doc } from '../scim/document'
import type { MemberOp, MemberRef } from '../scim/patch/members'
import type { ResolvedFilter } from '../scim/filter/resolve'
import type { ResolvedAttr } from '../scim/schema/registry'
import type { CursorPosition } from '../scim/cursor'
import type { Limits } from '../scim/limits'
import type { EventService } from '../events/types'
import type { MemberDelta } from '../journal/diff'
import type { JournalChange, JournalDraft } from '../journal/types'
import type { Effect } from './effect'

/** A resource as stored: the canonical document plus server-managed columns. */
export interface StoredResource {
  readonly id: string
  readonly type: string
  readonly data: Doc
  readonly version: number
  readonly created: string
  readonly lastModified: string
  /** A user's groups, read in the same statement as the row. */
  readonly groupsRead?: readonly MemberRow[]
}

/** A member row of a group, with the member's current display name. */
export interface MemberRow {
  value: string
  type: string
  display?: string
}

export interface StoreStats {
  lookupHits: number
  lookupMisses: number
  writeBatches: number
  writeJobs: number
}

export interface ListQuery {
  filter?: ResolvedFilter
  sortBy?: ResolvedAttr
  descending?: boolean
  /** 1-based, already clamped. */
  startIndex: number
  count: number
  /**
   * Cursor paging (RFC 9865): the page is the `count` resources after (or, walking back, before)
   * this id in id order; `sortBy` and `startIndex` do not apply. `total` still counts the whole query.
   */
  keyset?: CursorPosition
  /**
   * Stop reading rows once their stored text passes this many bytes (the row that passes it is
   * returned, so the caller sees the budget is spent): a page never holds more in memory than
   * it could send.
   */
  maxBytes?: number
}

/** A list query's answer: the rows of the page and the query's total. */
export interface ListPage {
  total: number
  rows: StoredResource[]
  /**
   * The byte budget (`maxBytes`) ended the read before `count` rows: rows after these may match,
   * though fewer than `count` came back. A cursor page then still has a next one (a walk that took
   * a short page for the last lost every resource after it).
   */
  cut?: boolean
}

/**
 * Writes run inside a transaction the store owns; each method is an Effect (src/service/effect.ts),
 * which a synchronous store answers without yielding. Resources that show the written one (a group
 * its members' display, a user its groups, a report its manager) get a new version and
 * lastModified `at` the same time (RFC 7644 §3.14).
 */
export interface WriteTx {
  get(type: ResourceType, id: string): Effect<StoredResource | undefined>
  /** A list query read through this transaction: it sees the rows the job (and its batch) wrote. */
  query(type: ResourceType, query: ListQuery): Effect<ListPage>
  /** A group's members as this transaction sees them. */
  members(groupId: string): Effect<MemberRow[]>
  /** The members added with the row. */
  insert(type: ResourceType, row: StoredResource, members?: readonly MemberRef[]): Effect<MemberDelta[]>
  update(type: ResourceType, before: StoredResource, after: StoredResource): Effect<void>
  /** The members that joined or left; none when no membership changed (re-adding a member, removing an absent one). */
  applyMemberOps(group: StoredResource, ops: readonly MemberOp[], at: string): Effect<readonly MemberDelta[]>
  /**
   * Memberships go with the row; a deleted user's reports lose their manager. Returns those
   * changes of other resources (groups losing the member, reports losing their manager), which
   * the journal records as cascades.
   */
  delete(type: ResourceType, row: StoredResource, at: string): Effect<Cascade[]>
  /** Ids among `ids` that exist (any resource type), for reference checks. */
  existing(ids: readonly string[]): Effect<Map<string, string>>
  /**
   * Appends a journal entry for this tenant in this transaction (nothing when the journal is
   * off). A function is called only when the journal is on, so a server without one skips the diff.
   */
  journal(draft: JournalDraft | (() => JournalDraft)): Effect<void>
}

/** A change of another resource that a delete caused. */
export interface Cascade {
  type: string
  id: string
  versionBefore: number
  versionAfter: number
  changes: JournalChange[]
}

/**
 * Storage behind the services (go-scim's db.DB): src/store/resource-store.ts (SQLite, whose effects
 * never yield) and src/store-pg/resource-store.ts (PostgreSQL) implement it. Reads are Effects.
 */
export interface ResourceStore {
  get(type: ResourceType, id: string): Effect<StoredResource | undefined>
  /** Hot lookups, served from the LRU cache: folded userName / group displayName, and externalId. */
  findByName(type: ResourceType, name: string): Effect<readonly StoredResource[]>
  findByExternalId(type: ResourceType, externalId: string): Effect<readonly StoredResource[]>
  query(type: ResourceType, query: ListQuery): Effect<ListPage>
  /** The `limit` most recently modified resources of `type`, newest first. */
  recentlyModified(type: ResourceType, limit: number): Effect<StoredResource[]>
  /** How many resources of `type` have a lastModified after `since` (ISO 8601 text). */
  modifiedSince(type: ResourceType, since: string): Effect<number>
  members(groupId: string): Effect<MemberRow[]>
  /** The group's first `limit` members (in `members` order) and how many it has in all. */
  memberPage(groupId: string, limit: number): Effect<{ total: number; rows: MemberRow[] }>
  /** A user's groups: those read with the row, else looked up. */
  groupsOf(user: StoredResource): Effect<readonly MemberRow[]>
  /**
   * Runs `fn` in a transaction shared with other writes that arrive in the same tick (group
   * commit): one sync for the batch; an error in `fn` rolls back only its own changes. The job's
   * effect reads and writes through `tx` only: a synchronous store refuses one that yields.
   */
  write<T>(fn: (tx: WriteTx) => Effect<T>): Promise<T>
  /** Counters for /metrics: lookup-cache hits and misses, write batches and the jobs in them. */
  stats(): StoreStats
  /** Why the database cannot serve now (not writable, schema not this build's), or undefined when it can. */
  readinessProblem(): string | undefined
  close(): void
}

export interface ServiceSettings {
  /** Absolute base of the SCIM API, e.g. https://host/scim/v2, for meta.location. */
  baseUrl?: string
  maxResults: number
  defaultCount: number
  /** How long a cursor stays valid, in seconds (RFC 9865 `cursorTimeout`). */
  cursorTimeout: number
  limits: Limits
  /**
   * Refuse what src/scim/compat would otherwise accept from IdPs (Entra's `"op": "Replace"` and
   * `"$ref": null`, Okta's echoed `id`): for a tenant whose clients speak RFC 7644 exactly.
   */
  strictPatch?: boolean
}

export interface ServiceDeps {
  store: ResourceStore
  registry: Registry
  settings: ServiceSettings
  now: () => Date
  newId: () => string
  /** Change events (src/events), when the server has a journal to read them from. */
  events?: EventService
}
