// RFC 8936 poll: acknowledge, then return the caller's unacknowledged SETs of the tenant in commit order.
import type { JournalEntry, JournalFeed } from '../journal/types'
import { ScimError } from '../scim/errors'
import { type Effect, run } from '../service/effect'
import type { PollRequest } from './poll-request'
import { jtiOf, seqOfJti, type Feed } from './set'
import { BATCH, type FirstRead, pendingEntries, readSize, type Pending, type StreamCursor } from './pending'
import { type Later, type StreamStore, taken } from './store'

/**
 * The most acknowledgements a stream keeps ahead of its first unacknowledged event: ten
 * responses of the default maxEvents. Every poll reads past the kept ones (skipped, not
 * returned), so a receiver that never acknowledged one event and acknowledged every later one
 * made each poll cost more than the last, without end (28–41 ms a poll at 40,000 kept, over an
 * in-memory journal; 11–15 ms at this bound, where it stays). Acks past the bound are not recorded: those events come again on
 * the next poll, as any unacknowledged one does, so none is lost.
 */
export const MAX_ACKED_AHEAD = 10_000

/** RFC 8936 poll response. */
export interface PollResponse {
  sets: Record<string, string>
  moreAvailable: boolean
}

export interface PollDeps {
  reader: JournalFeed
  positions: Pick<StreamStore, 'cursor' | 'acknowledge' | 'advance' | 'atomically'>
  /**
   * The signed SETs of the tenant's entries in the feed, in their order (src/events/signed-sets.ts:
   * signed once, shared by the tenant's consumers), all with the key the tenant has now.
   */
  setsOf(tenant: string, entries: readonly JournalEntry[], feed: Feed): Later<string[]>
  /** The most SETs one response carries (a recipient may ask for fewer). */
  maxEvents: number
  /**
   * The most stored entry text (changes and compat, UTF-8 bytes) one response carries and one
   * journal read takes, beyond a first entry larger than that alone (src/events/pending.ts).
   */
  maxBytes: number
  /** How long a long poll waits for a change before it answers with no SETs. */
  longPollMs: number
  /** How often a waiting long poll asks whether its token still authenticates (PollCredentials). */
  credentialCheckMs: number
}

/**
 * Whether the token a poll came with still authenticates for the life of the tenant it was let
 * in for (StreamStore.tokenHolds); undefined for the server's own tokens, which neither expire
 * nor go. A long poll outlives the check its request passed: a token revoked or expired while it
 * waits, or a tenant removed (and added again under the name), must not be handed later events.
 */
export type PollCredentials = () => Later<boolean>

/**
 * A fresh request with the token would get 401, so the waiting one gets it too, rather than an
 * empty answer: a receiver told nothing new would poll again with a token that no longer works.
 */
const credentialsEnded = () =>
  ScimError.unauthorized('the token was revoked or expired, or its tenant removed, while the poll waited')

/**
 * Runs a poll (`work`) of a token whose `credentials` may stop holding meanwhile. A step that
 * fails because of that (a position written for a tenant removed a moment ago meets the foreign
 * key) is the same 401, not a 500: whichever step notices, the answer is the one a fresh request
 * with the token gets.
 */
export async function whileCredentialsHold<T>(credentials: PollCredentials | undefined, work: () => Promise<T>) {
  try {
    return await work()
  } catch (err) {
    if (!credentials || (err instanceof ScimError && err.status === 401)) throw err
    // A check that fails too (the database gone) leaves the first failure to be told.
    const holds = await Promise.resolve()
      .then(credentials)
      .catch(() => true)
    throw holds ? err : credentialsEnded()
  }
}

/**
 * One poll of `stream`, the caller's position among the tenant's events. Acknowledged SETs
 * (`ack`, and `setErrs`: received, though the recipient could not use them) are never returned
 * again; the others are returned on every poll until acknowledged. With nothing to return and
 * `returnImmediately` false, the poll waits for the tenant's next journal append (or `longPollMs`,
 * or the client going away) and answers then.
 */
export async function pollEvents(
  deps: PollDeps,
  tenant: string,
  stream: string,
  feed: Feed,
  request: PollRequest,
  signal?: AbortSignal,
  credentials?: PollCredentials
): Promise<PollResponse> {
  const max = Math.min(request.maxEvents ?? deps.maxEvents, deps.maxEvents)
  // Subscribed before the read, so an append between the read and the wait is not missed.
  const check = credentials && { everyMs: deps.credentialCheckMs, holds: credentials }
  const append =
    !request.returnImmediately && max > 0 ? nextAppend(deps.reader, tenant, deps.longPollMs, signal, check) : undefined
  try {
    // Recording the acks and moving the position past them commit together, with the requests'
    // writes of the moment: with synchronous=FULL a commit of its own waits for the disk (4.5 ms
    // measured), on the thread that serves every request.
    // Over SQLite the effect runs straight through inside the writer's transaction.
    let found = await deps.positions.atomically(() => run(settle(deps, tenant, stream, request, max)))
    if (found.entries.length === 0 && append) {
      await append.promise
      found = await run(settle(deps, tenant, stream, undefined, max, credentials))
    }
    return { sets: await run(signedSets(deps, tenant, found.entries, feed)), moreAvailable: found.more }
  } finally {
    append?.cancel()
  }
}

/**
 * Takes the request's acknowledgements and finds what is still pending, from one read of the
 * journal in the usual case: the jtis an app acknowledges are those the previous poll returned,
 * the first entries after its position, so the read that finds the pending entries also checks
 * the acks. Acks that close the gap after the position move it (no row each); only those ahead
 * of an unacknowledged entry are stored one by one.
 */
function* settle(
  deps: PollDeps,
  tenant: string,
  stream: string,
  request: PollRequest | undefined,
  max: number,
  credentials?: PollCredentials
): Effect<Pending> {
  const cursor = yield* taken(deps.positions.cursor(tenant, stream))
  const claimed = request ? claimedAcks(request) : []
  const asked = readSize(cursor, max, claimed.length)
  const first = { ...(yield* taken(deps.reader.within(tenant, cursor.ackedSeq, asked, deps.maxBytes))), asked }
  const reach = deps.maxEvents + cursor.acked.size
  const acks = yield* acknowledged(deps.reader, tenant, cursor, claimed, first, reach, deps.maxBytes)
  const pending = (acked: ReadonlySet<number>) =>
    pendingEntries(deps.reader, tenant, { ackedSeq: cursor.ackedSeq, acked }, max, deps.maxBytes, first)
  let found = yield* pending(acks.length === 0 ? cursor.acked : new Set([...cursor.acked, ...acks]))
  const { ahead, dropped } = aheadToKeep(cursor, acks, found.settledSeq)
  // Read again without the acks past the bound, so the answer holds what stays unacknowledged;
  // the position is the same, as the acks that close the gap after it are all kept.
  if (dropped) {
    const settled = acks.filter((seq) => seq <= found.settledSeq)
    found = yield* pending(new Set([...cursor.acked, ...settled, ...ahead]))
  }
  // Asked after the reads: a token that still holds now held when they ran (a removed tenant's
  // tokens go with it and never come back), so the entries are its tenant's, not a later one's of
  // the name; and before the writes, so a gone token moves no position.
  if (credentials && !(yield* taken(credentials()))) throw credentialsEnded()
  if (found.settledSeq > cursor.ackedSeq) yield* taken(deps.positions.advance(tenant, stream, found.settledSeq))
  if (ahead.length > 0) yield* taken(deps.positions.acknowledge(tenant, stream, ahead))
  return found
}

/**
 * The new acks to record one by one: those past the settled position, lowest first (the ones that
 * close the gap soonest), as many as MAX_ACKED_AHEAD leaves room for beside those kept already;
 * `dropped` when some found no room.
 */
function aheadToKeep(
  cursor: StreamCursor,
  acks: readonly number[],
  settledSeq: number
): { ahead: number[]; dropped: boolean } {
  let kept = 0
  for (const seq of cursor.acked) if (seq > settledSeq) kept++
  const room = Math.max(0, MAX_ACKED_AHEAD - kept)
  const ahead = acks.filter((seq) => seq > settledSeq)
  if (ahead.length <= room) return { ahead, dropped: false }
  return { ahead: ahead.sort((a, b) => a - b).slice(0, room), dropped: true }
}

/** The entries' SETs by jti, in commit order. */
function* signedSets(
  deps: PollDeps,
  tenant: string,
  entries: readonly JournalEntry[],
  feed: Feed
): Effect<Record<string, string>> {
  const signed = yield* taken(deps.setsOf(tenant, entries, feed))
  const sets: Record<string, string> = {}
  entries.forEach((entry, i) => {
    sets[jtiOf(entry)] = signed[i]!
  })
  return sets
}

/** Every jti the request acknowledges (`ack`, and `setErrs`: received, though not usable), with the position it names. */
function claimedAcks(request: PollRequest): { jti: string; seq: number }[] {
  const out: { jti: string; seq: number }[] = []
  for (const jti of [...request.ack, ...Object.keys(request.setErrs)]) {
    const seq = seqOfJti(jti)
    if (seq !== undefined) out.push({ jti, seq })
  }
  return out
}

/**
 * The positions of the acknowledged jtis that name one of this tenant's pending entries exactly;
 * others (unknown, another tenant's, a future position, one acknowledged before) are ignored, so
 * a stray ack never hides an event. Only entries a receiver can have been sent are looked at: a
 * response holds the first maxEvents pending entries after the position, so every entry a
 * receiver holds unacknowledged is among the first `reach` (maxEvents plus the acknowledged ones
 * among them) after it. They are read in pages on from `first` (the read after the position),
 * no further than the highest position claimed: a few reads whatever the request names, where a
 * lookup per jti made 230,000 made-up ones hold the writer's transaction for 4.3 s. Each page is
 * bounded by `maxBytes` as the poll's reads are, and only the jtis found are kept of it.
 */
function* acknowledged(
  reader: JournalFeed,
  tenant: string,
  cursor: StreamCursor,
  claimed: readonly { jti: string; seq: number }[],
  first: FirstRead,
  reach: number,
  maxBytes: number
): Effect<number[]> {
  const wanted = claimed.filter(({ seq }) => seq > cursor.ackedSeq && !cursor.acked.has(seq))
  if (wanted.length === 0) return []
  const seqs = new Set(wanted.map((c) => c.seq))
  let highest = 0
  for (const seq of seqs) highest = Math.max(highest, seq)
  const found = new Map<number, string>()
  const note = (entries: readonly JournalEntry[]) => {
    for (const entry of entries) if (seqs.has(entry.seq)) found.set(entry.seq, jtiOf(entry))
  }
  note(first.entries)
  let page: FirstRead = first
  let read = page.entries.length
  // A short page is the journal's end, unless the byte budget cut it.
  while ((page.cut || page.entries.length === page.asked) && read < reach) {
    const last = page.entries[page.entries.length - 1]?.seq
    if (last === undefined || last >= highest) break
    const asked = Math.min(BATCH, reach - read)
    page = { ...(yield* taken(reader.within(tenant, last, asked, maxBytes))), asked }
    note(page.entries)
    read += page.entries.length
  }
  const acks = new Set<number>()
  for (const { jti, seq } of wanted) if (found.get(seq) === jti) acks.add(seq)
  return [...acks]
}

/**
 * Resolves on the tenant's next append, after `ms`, when `signal` aborts, or (with `check`) once
 * its credentials no longer hold, asked every `check.everyMs`: whichever is first.
 */
export function nextAppend(
  reader: JournalFeed,
  tenant: string,
  ms: number,
  signal?: AbortSignal,
  check?: { everyMs: number; holds: PollCredentials }
) {
  let done = () => {}
  const promise = new Promise<void>((resolve) => {
    done = resolve
  })
  const unsubscribe = reader.onAppend((tenants) => {
    if (tenants.has(tenant)) done()
  })
  const timer = setTimeout(() => done(), ms)
  // A failed check (the database busy) waits for the next one; the poll's own read after the wait asks again.
  const checks =
    check &&
    setInterval(() => {
      Promise.resolve()
        .then(check.holds)
        .then((holds) => holds || done())
        .catch(() => {})
    }, check.everyMs)
  const onAbort = () => done()
  // An already aborted signal fires no abort event: a poll arriving during a shutdown's drain.
  if (signal?.aborted) done()
  signal?.addEventListener('abort', onAbort)
  return {
    promise,
    cancel() {
      unsubscribe()
      clearTimeout(timer)
      clearInterval(checks)
      signal?.removeEventListener('abort', onAbort)
      done()
    },
  }
}
