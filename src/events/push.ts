// RFC 8935 push: each receiver URL of a tenant gets the tenant's SETs in commit order, pipelined, with retries.
import type { JournalEntry, JournalFeed } from '../journal/types'
import { type Effect, run } from '../service/effect'
import { pendingEntries, type StreamCursor } from './pending'
import type { PollDeps } from './poll'
import { transportFor, Unanswered, type Answer, type Transport } from './pipelined'
import type { Feed } from './set'
import { type PushTurns, taken } from './store'
import { pushStream } from './streams'

export interface PushOptions {
  /** Waits `ms` or until `signal` aborts; tests pass one that records the delay and returns at once. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>
  /** The first retry waits this long; each further one twice as long, up to `maxDelayMs`. */
  baseDelayMs?: number
  maxDelayMs?: number
  /** One attempt gives up after this long. */
  timeoutMs?: number
  /** The most SETs in flight to one receiver at a time (default 32). */
  window?: number
  /** How often a receiver another server delivers to is looked at again (default 2 s): the delay of a takeover. */
  turnRetryMs?: number
  /**
   * The environment's HTTPS_PROXY / HTTP_PROXY / NO_PROXY (main.ts hands in its environment): a
   * receiver behind a proxy gets its SETs through fetch, which uses it. Default: none.
   */
  proxyEnv?: Record<string, string | undefined>
}

export interface PushDeps {
  reader: JournalFeed
  positions: PollDeps['positions']
  setsOf: PollDeps['setsOf']
  /** The most stored entry text one wave is read from and carries, beyond a first larger entry (as a poll's). */
  maxBytes: number
  /** The tenant's feed; undefined while its public URL is unknown (nothing is pushed then). */
  feedOf(tenant: string): Feed | undefined
  /** Which server delivers to each receiver (several replicas); absent: this one, always. */
  turns?: PushTurns
}

/** The wait before retry number `attempt` (0 for the first retry): exponential, capped. */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30))
}

export function defaultSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer)
      // The receiver's signal lives as long as the receiver: a listener left behind per retry would pile up.
      signal.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    signal.addEventListener('abort', done)
  })
}

/** Counters of one receiver, for the metrics. */
export interface ReceiverStats {
  delivered: number
  /** SETs the receiver refused with 400 and an RFC 8935 §2.3 error: resending would not help. */
  rejected: number
  /** Failed attempts that were retried (network errors, timeouts, other statuses). */
  retries: number
}

/** The most a receiver's backlog is counted to (each count reads the journal from its position). */
const BACKLOG_COUNT_CAP = 100_000

/** Accepted SETs in a row, with no failed attempt between, before a receiver gets more than one at a time. */
const SLOW_START = 8

/**
 * One receiver. SETs go out strictly in commit order on one HTTP/1.1 connection, several in
 * flight: a wave of up to `window` POSTs (RFC 8935 carries one SET per request) is pipelined
 * (RFC 9112 §9.3.2), so the receiver reads them in order and answers them in order. One at a
 * time a receiver got one SET per turn of a server whose turns each wait for a disk sync (150–300
 * a second while writes ran faster). A receiver gets one SET at a time until SLOW_START SETs in a
 * row were accepted at the first attempt, then waves that double up to `window`; after any failed
 * attempt it is back to one at a time, so a receiver that fails gets its SETs in order with
 * back-off, and the SETs sent behind a failed one in a wave are sent again after it (a receiver
 * recognises them by jti). The stored position moves past the SETs answered before the first
 * failure, in one write of the shared writer per wave, so a restart resumes with the first SET
 * not accepted.
 */
export class PushReceiver {
  readonly stats: ReceiverStats = { delivered: 0, rejected: 0, retries: 0 }
  private readonly stop = new AbortController()
  private readonly stream: string
  private readonly connection: Transport
  private dirty = true
  private wake = () => {}
  private idle = false
  private width = 1
  private streak = 0
  private readonly idleWaiters: (() => void)[] = []
  /** False while another server delivers to this receiver: this one then counts no backlog. */
  private turn = true
  private turnTimer: ReturnType<typeof setTimeout> | undefined
  private readonly options: Required<PushOptions>
  readonly done: Promise<void>

  constructor(
    private readonly deps: PushDeps,
    readonly tenant: string,
    readonly url: string,
    options: PushOptions = {}
  ) {
    this.stream = pushStream(url)
    this.connection = transportFor(url, options.proxyEnv ?? {})
    this.options = {
      sleep: options.sleep ?? defaultSleep,
      baseDelayMs: options.baseDelayMs ?? 1000,
      maxDelayMs: options.maxDelayMs ?? 300_000,
      timeoutMs: options.timeoutMs ?? 10_000,
      window: Math.max(1, options.window ?? 32),
      turnRetryMs: options.turnRetryMs ?? 2000,
      proxyEnv: options.proxyEnv ?? {},
    }
    this.done = this.run().finally(() => this.connection.close())
  }

  /** The tenant's journal grew (or its feed may now be known): look again. */
  notify(): void {
    this.dirty = true
    this.wake()
  }

  async close(): Promise<void> {
    this.stop.abort()
    clearTimeout(this.turnTimer)
    this.wake()
    await this.done
    for (const resolve of this.idleWaiters.splice(0)) resolve()
    try {
      await this.deps.turns?.release(this.tenant, this.stream)
    } catch {
      // The connection is gone: so is the turn it held.
    }
  }

  /** Events of the tenant this receiver has not accepted yet (none while another server delivers to it). */
  *backlog(): Effect<number> {
    if (!this.turn) return 0
    const cursor = yield* taken(this.deps.positions.cursor(this.tenant, this.stream))
    // Positions only: counting a backlog of large entries read each of them whole (1.2 GB a scrape).
    const seqs = yield* taken(this.deps.reader.seqsAfter(this.tenant, cursor.ackedSeq, BACKLOG_COUNT_CAP))
    let count = 0
    for (const seq of seqs) if (!cursor.acked.has(seq)) count++
    return count
  }

  /** Resolves once the receiver has accepted everything there is (or has no feed yet) and waits. */
  whenIdle(): Promise<void> {
    if (this.idle && !this.dirty) return Promise.resolve()
    return new Promise((resolve) => this.idleWaiters.push(resolve))
  }

  private async run(): Promise<void> {
    for (let failures = 0; !this.stop.signal.aborted; ) {
      try {
        await this.pass()
        failures = 0
      } catch {
        // Reading the journal or storing the position failed (database busy, or closed under a
        // shutdown): look again after a back-off instead of ending this receiver's deliveries.
        this.dirty = true
        const { sleep, baseDelayMs, maxDelayMs } = this.options
        await sleep(backoffDelay(failures++, baseDelayMs, maxDelayMs), this.stop.signal)
      }
    }
  }

  /** Waits for news unless there is some, then delivers every pending SET in order. */
  private async pass(): Promise<void> {
    if (!this.dirty) {
      this.idle = true
      for (const resolve of this.idleWaiters.splice(0)) resolve()
      await new Promise<void>((resolve) => (this.wake = resolve))
      this.idle = false
    }
    this.dirty = false
    const feed = this.deps.feedOf(this.tenant)
    if (!feed) return
    const { positions } = this.deps
    let cursor: StreamCursor | undefined
    let stored: Promise<unknown> = Promise.resolve()
    try {
      for (;;) {
        // Asked before each wave: a server that lost its turn (its connection dropped) stops
        // within a wave, instead of pushing alongside the server that took over.
        if (this.deps.turns && !(await this.myTurn(this.deps.turns))) return
        cursor ??= await positions.cursor(this.tenant, this.stream)
        const { entries, sets } = await run(this.wave(cursor, feed))
        if (entries.length === 0 || this.stop.signal.aborted) return
        const settled = await this.send(sets)
        if (settled === 0) return
        const last = entries[settled - 1]!.seq
        // One position write per wave, through the shared writer (no disk sync of its own); the
        // next wave goes out while it commits, and the one after waits for it.
        await stored
        stored = positions.atomically(() => positions.advance(this.tenant, this.stream, last))
        cursor = { ackedSeq: last, acked: cursor.acked }
      }
    } finally {
      await stored
    }
  }

  /** The next wave: up to `width` pending entries from `cursor` on, within the byte budget, with their SETs. */
  private *wave(cursor: StreamCursor, feed: Feed): Effect<{ entries: JournalEntry[]; sets: string[] }> {
    const { entries } = yield* pendingEntries(this.deps.reader, this.tenant, cursor, this.width, this.deps.maxBytes)
    return { entries, sets: yield* taken(this.deps.setsOf(this.tenant, entries, feed)) }
  }

  /**
   * True when this server delivers to the receiver now. Else the server whose turn it is does, and
   * this one looks again every turnRetryMs (and at each append): when that server stops, its turn
   * ends with its connection and one of the others takes over, from the stored position.
   */
  private async myTurn(turns: PushTurns): Promise<boolean> {
    this.turn = await turns.mine(this.tenant, this.stream)
    if (!this.turn) {
      clearTimeout(this.turnTimer)
      this.turnTimer = setTimeout(() => this.notify(), this.options.turnRetryMs)
      this.turnTimer.unref?.()
    }
    return this.turn
  }

  /**
   * Sends a wave and returns how many of its SETs, from the first, the receiver accepted or
   * refused; the first that failed is then retried alone with back-off until it is settled too.
   * 0: closed before the first was settled.
   */
  private async send(sets: readonly string[]): Promise<number> {
    const outcomes = await this.attempt(sets)
    // A receiver that closes the connection after each answer read only the first: the rest go
    // again at once, one per connection from now on. That is no failure of theirs.
    if (this.connection.closesEach) this.width = 1
    const unsent = outcomes.indexOf('unsent')
    if (unsent > 0 && !outcomes.slice(0, unsent).includes('retry')) {
      for (const outcome of outcomes.slice(0, unsent)) this.stats[outcome as Settled]++
      return unsent
    }
    const failed = outcomes.findIndex((o) => o === 'retry' || o === 'unsent')
    for (const outcome of failed < 0 ? outcomes : outcomes.slice(0, failed)) this.stats[outcome as Settled]++
    if (failed < 0) {
      this.streak += sets.length
      if (this.streak >= SLOW_START && !this.connection.closesEach)
        this.width = Math.min(this.options.window, this.width * 2)
      return sets.length
    }
    this.streak = 0
    this.width = 1
    this.stats.retries++
    const { sleep, baseDelayMs, maxDelayMs } = this.options
    for (let attempt = 0; !this.stop.signal.aborted; attempt++) {
      await sleep(backoffDelay(attempt, baseDelayMs, maxDelayMs), this.stop.signal)
      if (this.stop.signal.aborted || (this.deps.turns && !(await this.myTurn(this.deps.turns)))) break
      const [outcome] = await this.attempt([sets[failed]!])
      if (outcome !== 'retry' && outcome !== 'unsent') {
        this.stats[outcome as Settled]++
        return failed + 1
      }
      this.stats.retries++
    }
    return failed
  }

  /**
   * One attempt of each SET, pipelined: what each answer means; one without an answer is to be
   * retried, or `unsent` when the receiver closed the connection before reading it.
   */
  private async attempt(sets: readonly string[]): Promise<(Outcome | 'unsent')[]> {
    const answers = await this.connection.post(sets, this.options.timeoutMs)
    return answers.map((a) =>
      a.status === 'fulfilled' ? outcomeOf(a.value) : a.reason instanceof Unanswered ? 'unsent' : 'retry'
    )
  }
}

type Settled = 'delivered' | 'rejected'
type Outcome = Settled | 'retry'

/**
 * RFC 8935 §2.2: 202 Accepted (any 2xx is taken as accepted); §2.3: a 400 with an error object
 * (`err`) is a refusal that resending would not change. Anything else (a proxy's error page,
 * 5xx, 429) is retried.
 */
export function outcomeOf(answer: Answer): Outcome {
  if (answer.status >= 200 && answer.status < 300) return 'delivered'
  if (answer.status === 400 && rfc8935Error(answer.body)) return 'rejected'
  return 'retry'
}

/** True when a 400 carries the RFC 8935 §2.3 error object (`err`), not a proxy's error page. */
function rfc8935Error(body: string): boolean {
  try {
    const parsed = JSON.parse(body) as { err?: unknown }
    return typeof parsed?.err === 'string'
  } catch {
    return false
  }
}
