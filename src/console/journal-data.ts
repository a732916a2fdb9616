// What the console reads of the provisioning journal: a resource's history, filtered pages, the dashboard's pace.
import type { Database } from 'bun:sqlite'
import { entryOf } from '../journal/canonical'
import { ENTRY_COLUMNS, type EntryRow } from '../journal/reader'
import type { JournalEntry } from '../journal/types'

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

type Params = [string, string | null, string | null, string | null, string | null, string | null, string | null]

const MATCH = `tenant = ?1 AND (?2 IS NULL OR actor = ?2) AND (?3 IS NULL OR op = ?3)
  AND (?4 IS NULL OR resource_type = ?4) AND (?5 IS NULL OR resource_id = ?5)
  AND (?6 IS NULL OR at >= ?6) AND (?7 IS NULL OR at <= ?7)`

function params(f: JournalFilter): Params {
  const v = (s: string | undefined) => (s === undefined || s === '' ? null : s)
  return [f.tenant, v(f.actor), v(f.op), v(f.resourceType), v(f.resourceId), v(f.from), v(f.to)]
}

/** The reads the console makes, prepared once per database. */
export function journalData(db: Database) {
  const page = db.query<EntryRow, [...Params, number | null, number]>(
    `SELECT ${ENTRY_COLUMNS} FROM journal WHERE ${MATCH} AND (?8 IS NULL OR seq < ?8) ORDER BY seq DESC LIMIT ?9`
  )
  const forward = db.query<EntryRow, Params>(`SELECT ${ENTRY_COLUMNS} FROM journal WHERE ${MATCH} ORDER BY seq`)
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
  return {
    /** One page, newest first, of the entries `filter` matches with seq below `before`. */
    page(filter: JournalFilter, before?: number, limit = JOURNAL_PAGE): JournalPage {
      const rows = page.all(...params(filter), before ?? null, limit + 1)
      const entries = rows.slice(0, limit).map(entryOf)
      return rows.length > limit ? { entries, older: entries[entries.length - 1]!.seq } : { entries }
    },
    /** Every matching entry in seq order, one row at a time (the export). */
    *all(filter: JournalFilter): Generator<JournalEntry> {
      for (const row of forward.iterate(...params(filter))) yield entryOf(row)
    },
    summary(tenant: string, now: number): JournalSummary {
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
    /** The tenant's newest seq (0 without entries): where live updates start. */
    lastSeq: (tenant: string) => lastSeq.get(tenant)?.seq ?? 0,
  }
}

export type JournalData = ReturnType<typeof journalData>

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
