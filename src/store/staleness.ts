// What a write makes stale: the lookup cache, filtered totals and unfiltered totals, kept in one place.
import { CountCache } from './count-cache'
import type { RawRows } from './hot-statements'
import { LookupCache, type LookupKind } from './lookup-cache'

const EXTERNAL_CHECK_MS = 250

/** The keys one row is cached under: its id, and its promoted lookup columns as stored (folded name, externalId). */
export interface RowKeys {
  readonly type: string
  readonly id: string
  readonly nameKey: string | null
  readonly externalId: string | null
}

/**
 * The read-side caches and the one rule that keeps them fresh: a write reports every row whose
 * served form it changed, with the row's keys before and after (`changed`), and every insert or
 * delete (`recount`). Rows change through others too (a group's members[].display, a user's
 * groups[], a report's manager): those get a new version in the same transaction
 * (store/dependents.ts) and are reported here like any other change.
 */
export class ReadCaches {
  private readonly lookups: LookupCache
  private readonly filteredTotals = new CountCache()
  // Unfiltered totals, recounted only after an insert or delete of that type: paging through a
  // million users would otherwise count them all on every page.
  private readonly totals = new Map<string, number>()

  private externalVersion: number | undefined
  private externalCheckedAt = -Infinity

  /**
   * `dataVersion` is SQLite's `PRAGMA data_version`: it moves when another connection (an admin
   * command such as import, another process) commits, never for this connection's own writes.
   */
  constructor(
    lookups: LookupCache | { cacheSize?: number; cacheBytes: number },
    private readonly inWrite: () => boolean,
    private readonly dataVersion: () => number = () => 0,
    private readonly now: () => number = () => performance.now(),
    /** Prefixes every lookup key: the stores of several tenants share one cache and one byte budget. */
    private readonly scope = ''
  ) {
    this.lookups = lookups instanceof LookupCache ? lookups : new LookupCache(lookups.cacheSize, lookups.cacheBytes)
  }

  /**
   * Writes made by another process reach no `changed` call here, so at most every 250 ms the
   * caches compare SQLite's data version and start afresh when it moved: what an admin command
   * wrote is served within a second.
   */
  private followExternalWrites(): void {
    const now = this.now()
    if (now - this.externalCheckedAt < EXTERNAL_CHECK_MS) return
    this.externalCheckedAt = now
    const version = this.dataVersion()
    if (this.externalVersion !== undefined && version !== this.externalVersion) {
      this.lookups.clear()
      this.filteredTotals.forgetAll()
      this.totals.clear()
    }
    this.externalVersion = version
  }

  /**
   * A cached read by id or userName/displayName/externalId lookup. One made inside a write sees that write's
   * uncommitted rows; a job that then fails would leave them in the cache, so it goes to SQLite.
   */
  lookup(type: string, kind: LookupKind, value: string, load: () => RawRows): RawRows {
    if (this.inWrite()) return load()
    this.followExternalWrites()
    return this.lookups.get(this.scope + type, kind, value, load)
  }

  /** The total of a list: per filter object until any write, per type until an insert or delete. */
  total(type: string, filter: object | undefined, count: () => number): number {
    this.followExternalWrites()
    if (filter !== undefined) return this.filteredTotals.get(filter, count)
    const known = this.totals.get(type)
    if (known !== undefined) return known
    const total = count()
    this.totals.set(type, total)
    return total
  }

  /** Rows whose served form changed. Any change can change any filtered total (`members.value`). */
  changed(rows: Iterable<RowKeys>): void {
    for (const r of rows) this.lookups.invalidate(this.scope + r.type, r.id, r.nameKey, r.externalId)
    this.filteredTotals.forgetAll()
  }

  /** A row of `type` was inserted or deleted. */
  recount(type: string): void {
    this.totals.delete(type)
  }

  get hits(): number {
    return this.lookups.hits
  }

  get misses(): number {
    return this.lookups.misses
  }
}
