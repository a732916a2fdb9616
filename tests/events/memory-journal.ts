// An in-memory JournalReader for the events tests (entries appended by hand, listeners told after each
// commit), and the poll and push set-ups over it.
import type { Database } from 'bun:sqlite'
import { createHash } from 'node:crypto'
import type { PollDeps } from '../../src/events/poll'
import { type PushStart, setPushUrls } from '../../src/events/push-urls'
import { createEvents, type EventsOptions } from '../../src/events/service'
import { StreamPositions } from '../../src/events/streams'
import type { EntryPage, JournalEntry, JournalReader } from '../../src/journal/types'
import { openDatabase } from '../../src/store/db'

/** The tenant's public SCIM base the service of `memoryEvents` signs its SETs for. */
export const BASE = 'https://scim.example.com/scim/v2'

/** Registers a clean-up to run once the test ends (`cleanupsAfterEach` in tests/helpers/cleanups.ts). */
type CloseLater = (close: () => unknown) => void

export type EntryInput = Partial<JournalEntry> & Pick<JournalEntry, 'op' | 'resourceId'>

export class MemoryJournal implements JournalReader {
  readonly entries: JournalEntry[] = []
  private readonly listeners = new Set<(tenants: ReadonlySet<string>) => void>()
  private readonly waiting: (() => void)[] = []
  private readonly lastHash = new Map<string, string>()

  /** Appends the inputs as one commit, in order, and then tells the listeners. */
  commit(...inputs: EntryInput[]): JournalEntry[] {
    const added = inputs.map((input) => {
      const tenant = input.tenant ?? 'default'
      const seq = (this.entries[this.entries.length - 1]?.seq ?? 0) + 1
      const prevHash = this.lastHash.get(tenant) ?? ''
      const entry: JournalEntry = {
        seq,
        tenant,
        at: '2026-12-01T10:00:00.000Z',
        actor: null,
        requestId: null,
        resourceType: 'User',
        versionBefore: input.op === 'create' ? null : 1,
        versionAfter: input.op === 'delete' ? null : 2,
        changes: [],
        compat: [],
        cascade: false,
        ...input,
        prevHash,
        hash: createHash('sha256').update(`${prevHash}:${seq}:${input.resourceId}`).digest('hex'),
      }
      this.lastHash.set(tenant, entry.hash)
      this.entries.push(entry)
      return entry
    })
    const tenants = new Set(added.map((e) => e.tenant))
    for (const listener of [...this.listeners]) listener(tenants)
    return added
  }

  seqsAfter(tenant: string, afterSeq: number, limit: number): number[] {
    const seqs: number[] = []
    for (const e of this.entries) {
      if (seqs.length >= limit) break
      if (e.tenant === tenant && e.seq > afterSeq) seqs.push(e.seq)
    }
    return seqs
  }

  after(tenant: string, afterSeq: number, limit: number): JournalEntry[] {
    // Entries are in seq order: binary search for the first one past afterSeq.
    let lo = 0
    let hi = this.entries.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (this.entries[mid]!.seq <= afterSeq) lo = mid + 1
      else hi = mid
    }
    const out: JournalEntry[] = []
    for (let i = lo; i < this.entries.length && out.length < limit; i++) {
      if (this.entries[i]!.tenant === tenant) out.push(this.entries[i]!)
    }
    return out
  }

  within(tenant: string, afterSeq: number, limit: number, maxBytes: number): EntryPage {
    const page: EntryPage = { entries: [], bytes: [], cut: false }
    let total = 0
    for (const entry of this.after(tenant, afterSeq, limit)) {
      const bytes = entryBytes(entry)
      if (page.entries.length > 0 && total + bytes > maxBytes) return { ...page, cut: true }
      page.entries.push(entry)
      page.bytes.push(bytes)
      total += bytes
    }
    return page
  }

  onAppend(listener: (tenants: ReadonlySet<string>) => void): () => void {
    this.listeners.add(listener)
    for (const resolve of this.waiting.splice(0)) resolve()
    return () => this.listeners.delete(listener)
  }

  get listenerCount(): number {
    return this.listeners.size
  }

  /** Resolves once more than `count` listeners are subscribed (a long poll is waiting). */
  async listenersAbove(count: number): Promise<void> {
    while (this.listeners.size <= count) await new Promise<void>((resolve) => this.waiting.push(resolve))
  }
}

/** An entry's stored text as the stores count it: its changes and compat as JSON, in UTF-8 bytes. */
export function entryBytes(entry: JournalEntry): number {
  return Buffer.byteLength(JSON.stringify(entry.changes)) + Buffer.byteLength(JSON.stringify(entry.compat))
}

/** A reader of `journal` that counts its reads, the entries they returned and those entries' bytes. */
export function countingReader(journal: MemoryJournal) {
  const counts = { reads: 0, entries: 0, bytes: 0 }
  const counted = (out: JournalEntry[]) => {
    counts.reads++
    counts.entries += out.length
    for (const entry of out) counts.bytes += entryBytes(entry)
    return out
  }
  const reader = {
    after: (tenant: string, seq: number, limit: number) => counted(journal.after(tenant, seq, limit)),
    within(tenant: string, seq: number, limit: number, maxBytes: number): EntryPage {
      const page = journal.within(tenant, seq, limit, maxBytes)
      counted(page.entries)
      return page
    },
    seqsAfter: journal.seqsAfter.bind(journal),
    onAppend: journal.onAppend.bind(journal),
  }
  return { reader, counts }
}

/** Stream positions in a fresh in-memory database, closed through `closeLater`. */
export function memoryPositions(closeLater: CloseLater) {
  const { sqlite } = openDatabase(':memory:')
  closeLater(() => sqlite.close())
  return { positions: new StreamPositions(sqlite), sqlite }
}

/** Poll dependencies over `reader` and `positions`, every SET the text `set`; `overrides` replace any of them. */
export function pollDeps(
  reader: PollDeps['reader'],
  positions: PollDeps['positions'],
  overrides: Partial<PollDeps> = {}
): PollDeps {
  return {
    reader,
    positions,
    setsOf: (_, es) => es.map(() => 'set'),
    maxEvents: 1000,
    maxBytes: 4 << 20,
    longPollMs: 10,
    credentialCheckMs: 1000,
    ...overrides,
  }
}

/**
 * Poll dependencies over `journal` with its reads counted, positions in a fresh in-memory
 * database (closed through `closeLater`), SETs that name their seq, and `maxBytes` of entry text a poll.
 */
export function countedPolling(journal: MemoryJournal, closeLater: CloseLater, maxBytes = 4 << 20) {
  const { reader, counts } = countingReader(journal)
  const { positions, sqlite } = memoryPositions(closeLater)
  const deps = pollDeps(reader, positions, { setsOf: (_, es) => es.map((e) => `set ${e.seq}`), maxBytes })
  return { deps, counts, positions, sqlite }
}

/** Options of `memoryEvents` beside its defaults: as they are, or made for the database it opened. */
type ExtraOptions = Partial<Omit<EventsOptions, 'db' | 'journal'>>

/**
 * The event service over `journal` on a fresh SQLite database (`db`: in memory unless a file is
 * named), closed through `closeLater`: SETs name `/Users` under BASE, and push receivers are read
 * only when `pushTo` names them. `extra` adds or replaces options.
 */
export function memoryEvents(
  journal: JournalReader,
  closeLater: CloseLater,
  extra: ExtraOptions | ((sqlite: Database) => ExtraOptions) = {},
  db = ':memory:'
) {
  const { sqlite } = openDatabase(db)
  const service = createEvents({
    db: sqlite,
    journal,
    endpointOf: () => '/Users',
    publicBase: () => BASE,
    now: () => new Date(),
    reloadEveryMs: 0,
    ...(typeof extra === 'function' ? extra(sqlite) : extra),
  })
  const close = async () => {
    await service.close()
    sqlite.close()
  }
  closeLater(close)
  /** The default tenant's push receivers from now on (`tenant set --push-url`), as the service reloads them. */
  const pushTo = (urls: string[], from?: PushStart) => {
    setPushUrls(sqlite, 'default', urls, from)
    service.reloadPushUrls()
  }
  return { service, sqlite, close, pushTo }
}
