// What the console reads of the provisioning journal (history, filtered pages, the dashboard's pace): its statements, and SQLite's reads.
import type { Database } from 'bun:sqlite'
import { entryOf } from '../journal/canonical'
import { journalOf } from '../journal/journal'
import { historyWalker } from '../journal/history-links'
import { ENTRY_COLUMNS, type EntryRow } from '../journal/reader'
import type { JournalEntry } from '../journal/types'
import { verifyJournalServing } from '../journal/verify'
import type { ConsoleJournal } from './console-store'

/** Entries on one page of the journal and of a resource's history. */
export const JOURNAL_PAGE = 50
/** The dashboard's pace and compatibility counts look at this many of the newest entries, so it stays fast on a large journal. */
export const RECENT_WINDOW = 10_000

export const JOURNAL_OPS = ['create', 'replace', 'patch', 'delete'] as const

/** The journal page's filter: every field but the tenant is optional; times are ISO 8601 (UTC). */
export interface JournalFilter {
  tenant: string
  actor?: string
  op?: string
  resourceType?: string
  resourceId?: string
  from?: string
  to?: string
}

export interface JournalPage {
  entries: JournalEntry[]
  /** The seq to ask `before` for the next (older) page, when there is one. */
  older?: number
}

export interface JournalSummary {
  last?: JournalEntry
  /** Entries within the last 5 minutes, hour and 24 hours (among the newest RECENT_WINDOW). */
  last5m: number
  lastHour: number
  lastDay: number
  /** Compatibility rules by how often they fired (among the newest RECENT_WINDOW entries), most first. */
  compat: { rule: string; count: number }[]
}

/** How one database spells the journal's statements: its column list and its placeholders. */
export interface JournalSqlDialect {
  columns: string
  /** The placeholder of the `n`th value (from 1). */
  param: (n: number) => string
  /** Appended to time comparisons: PostgreSQL compares ISO text by code point only when told. */
  timeCollation: string
}

export const SQLITE_JOURNAL: JournalSqlDialect = { columns: ENTRY_COLUMNS, param: () => '?', timeCollation: '' }

/**
 * The filter's columns and how each compares, in SQL and on a row already read (a resource's
 * history is walked through its links, then filtered); only the fields given become conditions.
 */
const CONDITIONS: [keyof JournalFilter, string, (row: EntryRow, value: string) => boolean][] = [
  ['actor', 'actor = ', (row, v) => row.actor === v],
  ['op', 'op = ', (row, v) => row.op === v],
  ['resourceType', 'resource_type = ', (row, v) => row.resourceType === v],
  ['resourceId', 'resource_id = ', (row, v) => row.resourceId === v],
  ['from', 'at >= ', (row, v) => row.at >= v],
  ['to', 'at <= ', (row, v) => row.at <= v],
]

/** Whether a row of the filter's tenant matches every condition the filter has. */
function matches(f: JournalFilter, row: EntryRow): boolean {
  for (const [key, , test] of CONDITIONS) {
    const value = f[key]
    if (value !== undefined && value !== '' && !test(row, value)) return false
  }
  return true
}

/**
 * The WHERE clause with only the conditions the filter has, and its values. A written-out
 * condition (not `?2 IS NULL OR actor = ?2`) is one the database can serve from an index; each
 * of the few distinct texts this makes is prepared once (bun:sqlite's db.query caches them).
 */
function where(f: JournalFilter, d: JournalSqlDialect): { sql: string; values: (string | number)[] } {
  const parts = [`tenant = ${d.param(1)}`]
  const values: (string | number)[] = [f.tenant]
  for (const [key, condition] of CONDITIONS) {
    const value = f[key]
    if (value === undefined || value === '') continue
    values.push(value)
    const time = key === 'from' || key === 'to' ? d.timeCollation : ''
    parts.push(`${condition}${d.param(values.length)}${time}`)
  }
  return { sql: parts.join(' AND '), values }
}

/** The statement of one page: entries `filter` matches with seq below `before`, newest first, `limit` of them. */
export function pageQuery(
  filter: JournalFilter,
  before?: number,
  limit = JOURNAL_PAGE,
  d = SQLITE_JOURNAL
): { sql: string; values: (string | number)[] } {
  const w = where(filter, d)
  if (before !== undefined) w.values.push(before)
  const seq = before === undefined ? '' : ` AND seq < ${d.param(w.values.length)}`
  w.values.push(limit)
  return {
    sql: `SELECT ${d.columns} FROM journal WHERE ${w.sql}${seq} ORDER BY seq DESC LIMIT ${d.param(w.values.length)}`,
    values: w.values,
  }
}

/** The statement of the export's next rows: entries `filter` matches with seq above `after`, oldest first. */
export function exportQuery(
  filter: JournalFilter,
  after: number,
  limit: number,
  d: JournalSqlDialect
): { sql: string; values: (string | number)[] } {
  const w = where(filter, d)
  w.values.push(after)
  const seq = ` AND seq > ${d.param(w.values.length)}`
  w.values.push(limit)
  return {
    sql: `SELECT ${d.columns} FROM journal WHERE ${w.sql}${seq} ORDER BY seq LIMIT ${d.param(w.values.length)}`,
    values: w.values,
  }
}

/** A page of `limit` from `limit + 1` rows read: whether there is an older page. */
export function pageOf(entries: JournalEntry[], limit: number): JournalPage {
  const shown = entries.slice(0, limit)
  return entries.length > limit ? { entries: shown, older: shown[shown.length - 1]!.seq } : { entries: shown }
}

/** The console's journal in the server's SQLite database, its statements prepared once. */
export function journalData(db: Database): ConsoleJournal {
  const newest = db.query<EntryRow, [string]>(
    `SELECT ${ENTRY_COLUMNS} FROM journal WHERE tenant = ?1 ORDER BY seq DESC LIMIT 1`
  )
  const pace = db.query<{ m5: number | null; h1: number | null; d1: number | null }, [string, string, string, string]>(
    `SELECT sum(at >= ?2) AS m5, sum(at >= ?3) AS h1, sum(at >= ?4) AS d1
     FROM (SELECT at FROM journal WHERE tenant = ?1 ORDER BY seq DESC LIMIT ${RECENT_WINDOW})`
  )
  const compat = db.query<{ rule: string; count: number }, [string]>(
    `SELECT r.value AS rule, count(*) AS count
     FROM (SELECT compat FROM journal WHERE tenant = ?1 ORDER BY seq DESC LIMIT ${RECENT_WINDOW}) j, json_each(j.compat) r
     GROUP BY r.value ORDER BY count DESC, rule LIMIT 5`
  )
  const lastSeq = db.query<{ seq: number | null }, [string]>('SELECT max(seq) AS seq FROM journal WHERE tenant = ?1')
  const reader = journalOf(db).reader
  const history = historyWalker(db)
  /** Resource `id`'s entries the filter matches, newest first: its history's links, not a walk of the tenant. */
  function* historyOf(filter: JournalFilter, id: string, before?: number): Generator<EntryRow> {
    for (const row of history(filter.tenant, id, before)) if (matches(filter, row)) yield row
  }
  // Each method answers at once; async only to fit the interface both databases implement.
  return {
    async page(filter, before, limit = JOURNAL_PAGE) {
      if (filter.resourceId) {
        const rows: JournalEntry[] = []
        for (const row of historyOf(filter, filter.resourceId, before)) {
          rows.push(entryOf(row))
          if (rows.length > limit) break
        }
        return pageOf(rows, limit)
      }
      const q = pageQuery(filter, before, limit + 1)
      return pageOf(
        db
          .query<EntryRow, (string | number)[]>(q.sql)
          .all(...q.values)
          .map(entryOf),
        limit
      )
    },
    async *all(filter) {
      if (filter.resourceId) {
        const rows = [...historyOf(filter, filter.resourceId)]
        for (let i = rows.length - 1; i >= 0; i--) yield entryOf(rows[i]!)
        return
      }
      const w = where(filter, SQLITE_JOURNAL)
      const rows = db.query<EntryRow, (string | number)[]>(
        `SELECT ${ENTRY_COLUMNS} FROM journal WHERE ${w.sql} ORDER BY seq`
      )
      for (const row of rows.iterate(...w.values)) yield entryOf(row)
    },
    async summary(tenant, now) {
      const row = newest.get(tenant)
      const since = (ms: number) => new Date(now - ms).toISOString()
      const p = pace.get(tenant, since(5 * 60_000), since(3600_000), since(86_400_000))
      return {
        last: row ? entryOf(row) : undefined,
        last5m: p?.m5 ?? 0,
        lastHour: p?.h1 ?? 0,
        lastDay: p?.d1 ?? 0,
        compat: compat.all(tenant),
      }
    },
    lastSeq: async (tenant) => lastSeq.get(tenant)?.seq ?? 0,
    after: async (tenant, afterSeq, limit) => reader.after(tenant, afterSeq, limit),
    // The write queue tells the reader after each commit: no polling on one process's database.
    onAppend: (tenant, listener) =>
      reader.onAppend((tenants) => {
        if (tenants.has(tenant)) listener()
      }),
    verify: (tenant) => verifyJournalServing(db, tenant),
  }
}

/**
 * A time from the filter form: ISO 8601 text, or what a datetime-local field sends
 * (2026-05-01T09:00, read as UTC like every time the journal stores), normalised to the stored
 * form so text order is time order. Undefined when empty; null when it is not a time.
 */
export function timeOf(raw: string | undefined): string | undefined | null {
  const text = (raw ?? '').trim()
  if (text === '') return undefined
  if (!/^\d{4}-\d{2}-\d{2}/.test(text)) return null
  const zoned = /[zZ]|[+-]\d{2}:?\d{2}$/.test(text.slice(10)) ? text : `${text}Z`
  const t = Date.parse(zoned)
  return Number.isNaN(t) ? null : new Date(t).toISOString()
}
