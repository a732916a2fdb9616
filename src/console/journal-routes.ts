// The journal page, its export and chain check, and the live stream of new entries (server-sent events).
import { Elysia } from 'elysia'
import type { JournalEntry } from '../journal/types'
import { ScimError } from '../scim/errors'
import type { ConsoleJournal } from './console-store'
import { guard, type GuardDeps, tenantOf } from './guard'
import { JOURNAL_OPS, type JournalFilter, timeOf } from './journal-data'
import { verdictLines } from '../journal/verify'
import { journalPage, type JournalQuery, type JournalView } from './pages/journal'
import { LIVE_PATH } from './paths'
import type { Viewer } from './layout'
import type { LiveStreams } from './live-streams'
import { htmlResponse, SECURITY_HEADERS } from './respond'
import type { ConsoleSessions } from './sessions'

export interface JournalRouteDeps extends GuardDeps {
  journal: ConsoleJournal
  sessions: ConsoleSessions
  /** Aborted when the server stops: open live streams end, so a graceful stop does not wait on them. */
  closing?: AbortSignal
  /** Where each open stream is counted, with the bytes it holds (for /metrics). */
  streams?: LiveStreams
}

/** Entries one journal read of a live stream asks for; it reads on while there are more and room for them. */
const LIVE_BATCH = 100
/**
 * A comment line this often keeps the stream from looking idle: Bun.serve closes a connection
 * after 10 s without traffic (its default idleTimeout), and proxies do after a minute or so. A
 * dropped stream costs nothing but the reconnect: EventSource resumes from Last-Event-ID.
 */
const HEARTBEAT_MS = 5_000
/**
 * What one live stream may hold for a browser that does not read it (a stalled tab, a slow link):
 * about 5,000 entries' events. Past it the stream sends nothing more until the browser has read
 * all it holds, then one `skipped` event naming the entries it left out, and goes on from the newest.
 */
export const LIVE_QUEUE_BYTES = 1024 * 1024

function queryOf(raw: Record<string, string | undefined>): JournalQuery {
  const v = (k: string) => (raw[k] ?? '').trim()
  return {
    actor: v('actor'),
    op: v('op'),
    type: v('type'),
    id: v('id'),
    from: v('from'),
    to: v('to'),
  }
}

/** The filter the query asks for in `tenant`'s journal, or why it cannot run (an unknown operation, a time that is not one). */
function filterOf(tenant: string, q: JournalQuery): JournalFilter | { error: string } {
  if (q.op !== '' && !(JOURNAL_OPS as readonly string[]).includes(q.op))
    return { error: `Operation must be one of ${JOURNAL_OPS.join(', ')}.` }
  const from = timeOf(q.from)
  const to = timeOf(q.to)
  if (from === null || to === null)
    return { error: 'Times are ISO 8601 in UTC, such as 2026-05-01T09:00 or 2026-05-01T09:00:00Z.' }
  return { tenant, actor: q.actor, op: q.op, resourceType: q.type, resourceId: q.id, from, to }
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

/** The entries after `after` up to `last` were not sent; its id makes a reconnect resume after them. */
function skippedEvent(after: number, last: number): string {
  return `id: ${last}\nevent: skipped\ndata: ${JSON.stringify({ first: after + 1, last })}\n\n`
}

export function journalRoutes(deps: JournalRouteDeps) {
  const { journal, sessions, closing, streams } = deps
  const { page, change } = guard(deps)
  const render = async (v: Viewer, q: JournalQuery, before: string | undefined, verdict?: JournalView['verdict']) => {
    const filter = filterOf(v.tenant, q)
    const seq = Number(before)
    // Read before the page: an entry committed in between is shown twice rather than not at all.
    const drawnAfter = await journal.lastSeq(v.tenant)
    const result =
      'error' in filter ? filter : await journal.page(filter, Number.isSafeInteger(seq) && seq > 0 ? seq : undefined)
    return htmlResponse(journalPage(v, { query: q, result, verdict, drawnAfter }), 'error' in result ? 400 : 200)
  }

  /**
   * New entries of the tenant the URL names as server-sent events from the journal's onAppend
   * (on SQLite the write queue's word after each commit; on PostgreSQL a poll of the tenant's
   * newest seq, which sees every replica's appends), after the Last-Event-ID a reconnecting
   * EventSource sends, else the newest entry its page was drawn with (`after`). The
   * session is checked at connect and before every send: a signed-out or expired session ends the
   * stream. A server stopping ends it too (`closing`); the browser's reconnect then finds the
   * server gone or restarted and resumes from its Last-Event-ID.
   */
  const live = async ({ request, query }: { request: Request; query: Record<string, string | undefined> }) => {
    if (!(await sessions.current(request)))
      return new Response('sign in first\n', { status: 401, headers: SECURITY_HEADERS })
    const tenant = tenantOf(query)
    let exists: boolean
    try {
      exists = deps.depsFor(tenant) !== undefined
    } catch (err) {
      // A tenant that cannot be served (its schemas do not load) has a journal all the same.
      if (!(err instanceof ScimError)) throw err
      exists = true
    }
    if (!exists) return new Response('no such tenant\n', { status: 404, headers: SECURITY_HEADERS })
    // Where to go on from: the last entry the browser got (a reconnect), else the newest entry the
    // page was drawn with (`after`), else the newest now. Starting at the newest at connect lost
    // what was committed between the page and its stream (a slow script, a restart's retry gap).
    const positive = (n: number) => Number.isSafeInteger(n) && n > 0
    const resumed = Number(request.headers.get('last-event-id'))
    const drawn = Number(query.after)
    let from = positive(resumed) ? resumed : positive(drawn) ? drawn : await journal.lastSeq(tenant)
    const text = new TextEncoder()
    let stop = () => {}
    let resume = () => {}
    // Counted in bytes, so desiredSize says how much more the stream may hold.
    const strategy: QueuingStrategy<Uint8Array> = {
      highWaterMark: LIVE_QUEUE_BYTES,
      size: (chunk) => chunk?.byteLength ?? 0,
    }
    const body = new ReadableStream<Uint8Array>(
      {
        start(controller) {
          const queued = () => LIVE_QUEUE_BYTES - (controller.desiredSize ?? LIVE_QUEUE_BYTES)
          const closed = streams?.opened(queued)
          /** Queues `chunk` if the stream has room for it; nothing is queued past LIVE_QUEUE_BYTES. */
          const push = (chunk: Uint8Array) => {
            if (chunk.byteLength > (controller.desiredSize ?? 0)) return false
            controller.enqueue(chunk)
            return true
          }
          const end = () => {
            stop()
            try {
              controller.close()
            } catch {
              // Already closed by the client.
            }
          }
          let ended = false
          // Set when an entry found no room: the stream reads no more entries until the browser
          // has taken all it holds (appends meanwhile only check the session, so a sign-out ends it).
          let behind = false
          const read = async () => {
            if (ended) return
            if (!(await sessions.current(request))) return end()
            if (behind) {
              // Resuming only once all is read: a link that takes half the entries would otherwise
              // be told of a gap at every other one, and each append would cost a journal read.
              if (queued() > 0) return
              const last = await journal.lastSeq(tenant)
              if (ended || !push(text.encode(skippedEvent(from, last)))) return
              from = last
              behind = false
              return
            }
            for (;;) {
              const entries = await journal.after(tenant, from, LIVE_BATCH)
              if (ended) return
              for (const e of entries) {
                if (!push(text.encode(liveEvent(e)))) {
                  behind = true
                  if (streams) streams.skips++
                  return
                }
                from = e.seq
              }
              if (entries.length < LIVE_BATCH) return
            }
          }
          // One read at a time, each after the one before: two appends in quick succession must not
          // both read from the same `from` and send its entries twice.
          let reading: Promise<void> = Promise.resolve()
          const send = () => {
            reading = reading.then(read).catch(() => end())
          }
          resume = () => {
            if (behind) send()
          }
          // retry: how long the browser waits before it reconnects a dropped stream.
          controller.enqueue(text.encode(': journal entries\nretry: 5000\n\n'))
          const off = journal.onAppend(tenant, send)
          // What was committed after `from` before the stream opened goes out now, not with the next append.
          send()
          // Left out when it finds no room: a full stream is not idle, its browser is slow.
          const beat = setInterval(() => push(text.encode(': beat\n\n')), HEARTBEAT_MS)
          beat.unref?.()
          stop = () => {
            ended = true
            closed?.()
            off()
            clearInterval(beat)
            closing?.removeEventListener('abort', end)
          }
          request.signal.addEventListener('abort', end)
          // A stream opened while the server is already stopping ends at once (no abort event comes).
          if (closing?.aborted) end()
          else closing?.addEventListener('abort', end)
        },
        // Called as the browser takes what the stream holds.
        pull: () => resume(),
        cancel: () => stop(),
      },
      strategy
    )
    return new Response(body, {
      headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', ...SECURITY_HEADERS },
    })
  }

  return new Elysia()
    .get(
      '/journal',
      page((v, _deps, _req, query) => render(v, queryOf(query), query.before))
    )
    .get(
      '/journal/export',
      page((v, _deps, _req, query) => {
        const filter = filterOf(v.tenant, queryOf(query))
        if ('error' in filter) return render(v, queryOf(query), undefined)
        // The same lines as `scim-server journal export`, read a few entries at a time.
        const entries = journal.all(filter)
        const text = new TextEncoder()
        const body = new ReadableStream<Uint8Array>({
          async pull(controller) {
            let chunk = ''
            for (let i = 0; i < 500; i++) {
              const next = await entries.next()
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
      change(async (v) => {
        const started = performance.now()
        const verdict = await journal.verify(v.tenant)
        return render(v, queryOf({}), undefined, verdictLines(verdict, (performance.now() - started) / 1000))
      }),
      { parse: 'none' }
    )
    .get(LIVE_PATH, live)
}
