// The console's journal reads in PostgreSQL: pages, export, dashboard summary, live updates by polling, verify.
import type { SQL } from 'bun'
import {
  exportQuery,
  JOURNAL_PAGE,
  type JournalFilter,
  type JournalSqlDialect,
  pageOf,
  pageQuery,
  RECENT_WINDOW,
} from '../console/journal-data'
import type { ConsoleJournal } from '../console/console-store'
import { entryOf } from '../journal/canonical'
import type { EntryRow } from '../journal/reader'
import type { JournalEntry } from '../journal/types'
import { PG_ENTRY_COLUMNS } from './journal'
import { pgJournalAfter } from './journal-read'
import { verifyPgJournal } from './journal-verify'

/**
 * How often an open live stream's tenant is asked for its newest seq. Polling, not LISTEN/NOTIFY:
 * it sees every replica's appends (and a restore's) with no change to the append path and no
 * dedicated connection per replica, and one indexed max(seq) per watched tenant twice a second
 * costs little. A live row shows at most this long after its commit.
 */
export const LIVE_POLL_MS = 500

/** Entries the export reads per query: a million-entry export never sits in memory. */
export const EXPORT_PAGE = 1000

export const PG_JOURNAL: JournalSqlDialect = {
  columns: PG_ENTRY_COLUMNS,
  param: (n) => `$${n}`,
  timeCollation: ' COLLATE "C"',
}

/**
 * A filter value with NUL in it matches no entry (PostgreSQL text cannot hold one, and refuses
 * the query): the console's answer to it is the empty one SQLite gives.
 */
const matchesNothing = (filter: JournalFilter) => Object.values(filter).some((v) => v?.includes('\0'))

function entriesOf(rows: readonly EntryRow[]): JournalEntry[] {
  // bigint columns arrive as text from Bun's client.
  return rows.map((r) => entryOf({ ...r, seq: Number(r.seq) }))
}

/**
 * Tells listeners when a tenant's newest seq grew. One timer for all open streams of this
 * process, running only while some stream listens, reading only the tenants listened to.
 */
class AppendPoller {
  private readonly listeners = new Map<string, Set<() => void>>()
  private readonly seen = new Map<string, number>()
  private timer: ReturnType<typeof setInterval> | undefined
  private polling = false

  constructor(
    private readonly sql: SQL,
    private readonly everyMs: number
  ) {}

  listen(tenant: string, listener: () => void): () => void {
    let set = this.listeners.get(tenant)
    if (!set) {
      this.listeners.set(tenant, (set = new Set()))
      // Until the first poll answers, whatever it finds counts as new: a stream reads from its own position anyway.
      this.seen.delete(tenant)
    }
    set.add(listener)
    this.timer ??= setInterval(() => void this.poll(), this.everyMs)
    this.timer.unref?.()
    return () => {
      set.delete(listener)
      if (set.size > 0) return
      this.listeners.delete(tenant)
      if (this.listeners.size === 0) {
        clearInterval(this.timer)
        this.timer = undefined
      }
    }
  }

  private async poll(): Promise<void> {
    // A slow database gets no pile of overlapping polls.
    if (this.polling) return
    this.polling = true
    try {
      // One indexed max per tenant listened to: a handful of tenants, each a primary-key range read.
      const rows = await Promise.all(
        [...this.listeners.keys()].map(async (tenant) => {
          const [row] = (await this.sql`SELECT max(seq)::float8 AS seq FROM journal WHERE tenant = ${tenant}`) as {
            seq: number | null
          }[]
          return { tenant, seq: row?.seq ?? null }
        })
      )
      for (const { tenant, seq } of rows) {
        const newest = seq ?? 0
        const before = this.seen.get(tenant)
        this.seen.set(tenant, newest)
        if (before !== undefined && newest <= before) continue
        for (const listener of this.listeners.get(tenant) ?? []) listener()
      }
    } catch {
      // The next poll tries again; an open stream just waits meanwhile.
    } finally {
      this.polling = false
    }
  }
}

/** The console's journal over PostgreSQL: the statements of console/journal-data.ts in this dialect. */
export function pgConsoleJournal(
  sql: SQL,
  { pollMs = LIVE_POLL_MS, exportPage = EXPORT_PAGE }: { pollMs?: number; exportPage?: number } = {}
): ConsoleJournal {
  const poller = new AppendPoller(sql, pollMs)
  const rows = async (q: { sql: string; values: (string | number)[] }) =>
    entriesOf((await sql.unsafe(q.sql, q.values)) as EntryRow[])
  return {
    async page(filter, before, limit = JOURNAL_PAGE) {
      if (matchesNothing(filter)) return { entries: [] }
      return pageOf(await rows(pageQuery(filter, before, limit + 1, PG_JOURNAL)), limit)
    },
    async *all(filter) {
      if (matchesNothing(filter)) return
      let after = 0
      for (;;) {
        const page = await rows(exportQuery(filter, after, exportPage, PG_JOURNAL))
        yield* page
        if (page.length < exportPage) return
        after = page[page.length - 1]!.seq
      }
    },
    async summary(tenant, now) {
      const since = (ms: number) => new Date(now - ms).toISOString()
      const recent = `(SELECT at, compat FROM journal WHERE tenant = $1 ORDER BY seq DESC LIMIT ${RECENT_WINDOW})`
      const [last, pace, compat] = await Promise.all([
        rows({
          sql: `SELECT ${PG_ENTRY_COLUMNS} FROM journal WHERE tenant = $1 ORDER BY seq DESC LIMIT 1`,
          values: [tenant],
        }),
        sql.unsafe(
          `SELECT count(*) FILTER (WHERE at >= $2 COLLATE "C")::int AS m5, count(*) FILTER (WHERE at >= $3 COLLATE "C")::int AS h1,
             count(*) FILTER (WHERE at >= $4 COLLATE "C")::int AS d1 FROM ${recent} j`,
          [tenant, since(5 * 60_000), since(3600_000), since(86_400_000)]
        ) as Promise<{ m5: number; h1: number; d1: number }[]>,
        sql.unsafe(
          `SELECT r.rule, count(*)::int AS count FROM ${recent} j, jsonb_array_elements_text(j.compat::jsonb) AS r(rule)
           GROUP BY r.rule ORDER BY count DESC, r.rule COLLATE "C" LIMIT 5`,
          [tenant]
        ) as Promise<{ rule: string; count: number }[]>,
      ])
      const p = pace[0]
      return { last: last[0], last5m: p?.m5 ?? 0, lastHour: p?.h1 ?? 0, lastDay: p?.d1 ?? 0, compat: [...compat] }
    },
    async lastSeq(tenant) {
      const [row] = (await sql`SELECT max(seq)::float8 AS seq FROM journal WHERE tenant = ${tenant}`) as {
        seq: number | null
      }[]
      return row?.seq ?? 0
    },
    after: (tenant, afterSeq, limit) => pgJournalAfter(sql, tenant, afterSeq, limit),
    onAppend: (tenant, listener) => poller.listen(tenant, listener),
    verify: (tenant) => verifyPgJournal(sql, tenant),
  }
}
