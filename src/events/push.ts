// RFC 8935 push: each receiver URL of a tenant gets the tenant's SETs in commit order, with retries.
import type { JournalReader } from '../journal/types'
import { pendingEntries } from './pending'
import type { PollDeps } from './poll'
import { setClaims, type Feed } from './set'
import { pushStream } from './streams'

export interface PushOptions {
  fetch?: (url: string, init: RequestInit) => Promise<Response>
  /** Waits `ms` or until `signal` aborts; tests pass one that records the delay and returns at once. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>
  /** The first retry waits this long; each further one twice as long, up to `maxDelayMs`. */
  baseDelayMs?: number
  maxDelayMs?: number
  /** One attempt gives up after this long. */
  timeoutMs?: number
}

export interface PushDeps {
  reader: JournalReader
  positions: PollDeps['positions']
  sign: PollDeps['sign']
  /** The tenant's feed; undefined while its public URL is unknown (nothing is pushed then). */
  feedOf(tenant: string): Feed | undefined
}

/** The wait before retry number `attempt` (0 for the first retry): exponential, capped. */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30))
}

function defaultSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms)
    signal.addEventListener('abort', () => {
      clearTimeout(timer)
      resolve()
    })
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

/**
 * One receiver: delivers one SET at a time and moves its stored position only after the receiver
 * accepted it (202), so a restart resumes with the first SET not accepted and the order holds.
 */
export class PushReceiver {
  readonly stats: ReceiverStats = { delivered: 0, rejected: 0, retries: 0 }
  private readonly stop = new AbortController()
  private readonly stream: string
  private dirty = true
  private wake = () => {}
  private idle = false
  private readonly idleWaiters: (() => void)[] = []
  private readonly options: Required<PushOptions>
  readonly done: Promise<void>

  constructor(
    private readonly deps: PushDeps,
    readonly tenant: string,
    readonly url: string,
    options: PushOptions = {}
  ) {
    this.stream = pushStream(url)
    this.options = {
      fetch: options.fetch ?? ((u, init) => fetch(u, init)),
      sleep: options.sleep ?? defaultSleep,
      baseDelayMs: options.baseDelayMs ?? 1000,
      maxDelayMs: options.maxDelayMs ?? 300_000,
      timeoutMs: options.timeoutMs ?? 10_000,
    }
    this.done = this.run()
  }

  /** The tenant's journal grew (or its feed may now be known): look again. */
  notify(): void {
    this.dirty = true
    this.wake()
  }

  async close(): Promise<void> {
    this.stop.abort()
    this.wake()
    await this.done
    for (const resolve of this.idleWaiters.splice(0)) resolve()
  }

  /** Events of the tenant this receiver has not accepted yet. */
  backlog(): number {
    const cursor = this.deps.positions.cursor(this.tenant, this.stream)
    return pendingEntries(this.deps.reader, this.tenant, cursor, BACKLOG_COUNT_CAP).entries.length
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
    for (;;) {
      const cursor = this.deps.positions.cursor(this.tenant, this.stream)
      const { entries } = pendingEntries(this.deps.reader, this.tenant, cursor, 100)
      if (entries.length === 0 || this.stop.signal.aborted) return
      for (const entry of entries) {
        const set = this.deps.sign(this.tenant, setClaims(entry, feed))
        if (!(await this.deliver(set))) return
        // Through the shared writer: one accepted SET does not cost a disk sync of its own.
        await this.deps.positions.atomically(() => this.deps.positions.advance(this.tenant, this.stream, entry.seq))
      }
    }
  }

  /** Sends one SET until the receiver accepts or rejects it; false when stopped first. */
  private async deliver(set: string): Promise<boolean> {
    const { fetch, sleep, baseDelayMs, maxDelayMs, timeoutMs } = this.options
    for (let attempt = 0; !this.stop.signal.aborted; attempt++) {
      const outcome = await this.attempt(fetch, set, timeoutMs)
      if (outcome !== 'retry') {
        this.stats[outcome]++
        return true
      }
      this.stats.retries++
      await sleep(backoffDelay(attempt, baseDelayMs, maxDelayMs), this.stop.signal)
    }
    return false
  }

  private async attempt(
    fetch: Required<PushOptions>['fetch'],
    set: string,
    timeoutMs: number
  ): Promise<'delivered' | 'rejected' | 'retry'> {
    try {
      const response = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/secevent+jwt', accept: 'application/json' },
        body: set,
        // Not aborted by close(): an attempt under way ends (or times out), so an accepted SET is recorded.
        signal: AbortSignal.timeout(timeoutMs),
      })
      // RFC 8935 §2.2: 202 Accepted; any 2xx is taken as accepted.
      if (response.status >= 200 && response.status < 300) {
        await response.body?.cancel()
        return 'delivered'
      }
      if (response.status === 400 && (await rfc8935Error(response))) return 'rejected'
      return 'retry'
    } catch {
      return 'retry'
    }
  }
}

/** True when a 400 carries the RFC 8935 §2.3 error object (`err`), not a proxy's error page. */
async function rfc8935Error(response: Response): Promise<boolean> {
  try {
    const body = (await response.json()) as { err?: unknown }
    return typeof body?.err === 'string'
  } catch {
    return false
  }
}
