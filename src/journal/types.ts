// The provisioning journal's entry: one committed change of one resource, hash-chained per tenant.

/** One attribute-level change: the path (as in a PATCH path) with its value before and after. */
export interface JournalChange {
  path: string
  /** Absent when the attribute had no value before. */
  before?: unknown
  /** Absent when the attribute has no value after. */
  after?: unknown
}

export type JournalOp = 'create' | 'replace' | 'patch' | 'delete'

export interface JournalEntry {
  /** Position in the whole journal, in commit order (the tenant's entries are those with its name, in seq order). */
  seq: number
  tenant: string
  /** ISO time of the change (the resource's meta.lastModified after it, or the delete time). */
  at: string
  /** The label of the token that made the change; null for the command line or a restore. */
  actor: string | null
  requestId: string | null
  op: JournalOp
  resourceType: string
  resourceId: string
  versionBefore: number | null
  versionAfter: number | null
  /** Attribute-level changes; passwords never appear. */
  changes: JournalChange[]
  /** Names of the IdP compatibility rules that fired on the request. */
  compat: string[]
  /** True when the change follows from another one (a deleted user leaving its groups, a report losing its manager). */
  cascade: boolean
  /** Hex SHA-256 of the tenant's previous entry (or of its checkpoint), '' for the first. */
  prevHash: string
  /** Hex SHA-256 over prevHash and this entry's canonical form. */
  hash: string
}

/** Entries read within a byte budget (JournalFeed.within). */
export interface EntryPage {
  entries: JournalEntry[]
  /** Each entry's stored text (its changes and compat JSON) in UTF-8 bytes, in the same order. */
  bytes: number[]
  /** True when the budget ended the read before `limit` entries: a short page is then no end of the journal. */
  cut: boolean
}

/**
 * What change events read of the journal, over either store: SQLite's reader answers at once,
 * PostgreSQL's (src/store-pg/events-journal.ts) with a promise and hears every replica's appends.
 */
export interface JournalFeed {
  /** The tenant's entries with seq > `afterSeq`, in seq order, at most `limit`. */
  after(tenant: string, afterSeq: number, limit: number): JournalEntry[] | Promise<JournalEntry[]>
  /** The seqs alone of the same entries: what counting a backlog needs, without reading the entries. */
  seqsAfter(tenant: string, afterSeq: number, limit: number): number[] | Promise<number[]>
  /**
   * The first of the entries after() returns whose stored text fits in `maxBytes` together, and
   * always the first, however large (a single entry over the budget is still delivered, so a
   * stream never stalls). A create of a 1 MB document is a 1 MB entry: 500 of them read whole
   * held 500 MB for one poll. The rest of the page is not read (SQLite may read the one row that
   * does not fit, and drops it).
   */
  within(tenant: string, afterSeq: number, limit: number, maxBytes: number): EntryPage | Promise<EntryPage>
  /** Called after each commit that appended entries, with the tenants they belong to. */
  onAppend(listener: (tenants: ReadonlySet<string>) => void): () => void
}

/** The journal read synchronously (SQLite; the console and the tests read it so); src/journal implements it. */
export interface JournalReader extends JournalFeed {
  after(tenant: string, afterSeq: number, limit: number): JournalEntry[]
  seqsAfter(tenant: string, afterSeq: number, limit: number): number[]
  within(tenant: string, afterSeq: number, limit: number, maxBytes: number): EntryPage
}

/** What a change hands the journal; the journal adds the tenant, the sequence number and the chain. */
export type JournalDraft = Omit<JournalEntry, 'seq' | 'tenant' | 'prevHash' | 'hash'>
