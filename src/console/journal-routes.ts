// The journal page, its export and chain check, and the live stream of new entries (server-sent events).
import type { Database } from 'bun:sqlite'
import { Elysia } from 'elysia'
import type { JournalEntry, JournalReader } from '../journal/types'
import { verifyJournal } from '../journal/verify'
import { guard, type GuardDeps, TENANT } from './guard'
import { JOURNAL_OPS, type JournalData, type JournalFilter, timeOf } from './journal-data'
import { verdictLines } from '../journal/verify'
import { journalPage, type JournalQuery, type JournalView } from './pages/journal'
import { LIVE_PATH } from './paths'
import { htmlResponse, SECURITY_HEADERS } from './respond'
import type { ConsoleSessions } from './sessions'

export interface JournalRouteDeps extends GuardDeps {
  db: Database
  journal: JournalData
  reader: JournalReader
  sessions: ConsoleSessions
}

/** The tenants the filter offers; the tenants registry will list them all. */
const TENANTS = [TENANT]
/** Entries one live read sends at most; the next append sends the rest. */
const LIVE_BATCH = 100
/**
 * A comment line this often keeps the stream from looking idle: Bun.serve closes a connection
 * after 10 s without traffic (its default idleTimeout), and proxies do after a minute or so. A
 * dropped stream costs nothing but the reconnect: EventSource resumes from Last-Event-ID.
 */
const HEARTBEAT_MS = 5_000

function queryOf(raw: Record<string, string | undefined>): JournalQuery {
  const v = (k: string) => (raw[k] ?? '').trim()
  return {
    tenant: v('tenant') || TENANT,
    actor: v('actor'),
    op: v('op'),
    type: v('type'),
    id: v('id'),
    from: v('from'),
    to: v('to'),
  }
}

/** The filter the query asks for, or why it cannot run (an unknown tenant or operation, a time that is not one). */
function filterOf(q: JournalQuery): JournalFilter | { error: string } {
  if (!TENANTS.includes(q.tenant)) return { error: `No tenant named ${q.tenant}.` }
  if (q.op !== '' && !(JOURNAL_OPS as readonly string[]).includes(q.op))
    return { error: `Operation must be one of ${JOURNAL_OPS.join(', ')}.` }
  const from = timeOf(q.from)
  const to = timeOf(q.to)
  if (from === null || to === null)
    return { error: 'Times are ISO 8601 in UTC, such as 2026-05-01T09:00 or 2026-05-01T09:00:00Z.' }
  return { tenant: q.tenant, actor: q.actor, op: q.op, resourceType: q.type, resourceId: q.id, from, to }
}

/** What a live row needs of an entry: never the values before and after, only how many changed. */
function liveEvent(e: JournalEntry): string {
  const data = {
    seq: e.seq,
    at: e.at,
    actor: e.actor,
    op: e.op,
    resourceType: e.resourceType,
    resourceId: e.resourceId,
    changes: e.changes.length,
  }
  return `id: ${e.seq}\nevent: journal\ndata: ${JSON.stringify(data)}\n\n`
}

export function journalRoutes(deps: JournalRouteDeps) {
  const { db, journal, reader, sessions } = deps
  const { page, change } = guard(deps)
  const render = (
    session: Parameters<typeof journalPage>[0],
    q: JournalQuery,
    before: string | undefined,
    verdict?: JournalView['verdict']
  ) => {
    const filter = filterOf(q)
    const seq = Number(before)
    const result =
      'error' in filter ? filter : journal.page(filter, Number.isSafeInteger(seq) && seq > 0 ? seq : undefined)
    return htmlResponse(
      journalPage(session, { query: q, tenants: TENANTS, result, verdict }),
      'error' in result ? 400 : 200
    )
  }

  /**
   * New entries of the tenant as server-sent events from the journal's onAppend, from the
   * newest entry at connect (or the Last-Event-ID a reconnecting EventSource sends). The session
   * is checked at connect and before every send: a signed-out or expired session ends the stream.
   */
  const live = ({ request }: { request: Request }) => {
    if (!sessions.current(request)) return new Response('sign in first\n', { status: 401, headers: SECURITY_HEADERS })
    const resumed = Number(request.headers.get('last-event-id'))
    let from = Number.isSafeInteger(resumed) && resumed > 0 ? resumed : journal.lastSeq(TENANT)
    const text = new TextEncoder()
    let stop = () => {}
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        const end = () => {
          stop()
          try {
            controller.close()
          } catch {
            // Already closed by the client.
          }
        }
        const send = () => {
          if (!sessions.current(request)) return end()
          const entries = reader.after(TENANT, from, LIVE_BATCH)
          for (const e of entries) controller.enqueue(text.encode(liveEvent(e)))
          if (entries.length > 0) from = entries[entries.length - 1]!.seq
        }
        // retry: how long the browser waits before it reconnects a dropped stream.
        controller.enqueue(text.encode(': journal entries\nretry: 5000\n\n'))
        const off = reader.onAppend((tenants) => {
          if (tenants.has(TENANT)) send()
        })
        const beat = setInterval(() => controller.enqueue(text.encode(': beat\n\n')), HEARTBEAT_MS)
        beat.unref?.()
        stop = () => {
          off()
          clearInterval(beat)
        }
        request.signal.addEventListener('abort', end)
      },
      cancel: () => stop(),
    })
    return new Response(body, {
      headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', ...SECURITY_HEADERS },
    })
  }

  return new Elysia()
    .get(
      '/journal',
      page((session, _deps, _req, query) => render(session, queryOf(query), query.before))
    )
    .get(
      '/journal/export',
      page((session, _deps, _req, query) => {
        const filter = filterOf(queryOf(query))
        if ('error' in filter) return render(session, queryOf(query), undefined)
        // The same lines as `scim-server journal export`, read one entry at a time.
        const entries = journal.all(filter)
        const text = new TextEncoder()
        const body = new ReadableStream<Uint8Array>({
          pull(controller) {
            let chunk = ''
            for (let i = 0; i < 500; i++) {
              const next = entries.next()
              if (next.done) {
                if (chunk) controller.enqueue(text.encode(chunk))
                return controller.close()
              }
              chunk += `${JSON.stringify(next.value)}\n`
            }
            controller.enqueue(text.encode(chunk))
          },
          cancel: () => void entries.return(undefined),
        })
        return new Response(body, {
          headers: {
            'content-type': 'application/jsonl; charset=utf-8',
            'content-disposition': `attachment; filename="journal-${filter.tenant}.jsonl"`,
            'cache-control': 'no-store',
            ...SECURITY_HEADERS,
          },
        })
      })
    )
    .post(
      '/journal/verify',
      change((session, _deps, _req, form) => {
        const q = queryOf({ tenant: form.get('tenant') ?? undefined })
        if (!TENANTS.includes(q.tenant)) return render(session, q, undefined)
        const started = performance.now()
        const verdict = verifyJournal(db, q.tenant)
        return render(session, q, undefined, verdictLines(verdict, (performance.now() - started) / 1000))
      }),
      { parse: 'none' }
    )
    .get(LIVE_PATH, live)
}
