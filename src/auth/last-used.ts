// When each stored token was last used: noted in memory per request, written in the background at most once a minute.
import type { Database } from 'bun:sqlite'

/** Writes `tokens.last_used` for each id; resolves once the write is durable. */
export type UsageWriter = (uses: ReadonlyMap<string, string>) => Promise<unknown>

interface Use {
  /** The latest use seen (ms). */
  latest: number
  /** When a write of this token's use was last queued (ms); a new one waits `everyMs` after it. */
  queued: number
  /** The use last handed to the writer (ms). */
  written: number
}

export interface LastUsedOptions {
  /** A token's use is written at most this often (default one minute). */
  everyMs?: number
  /** How long a queued use waits before the background write (default 5 s), so a burst of first uses shares one. */
  delayMs?: number
  now?: () => number
}

/**
 * The request path only reads the clock and updates a small record per token; writes leave from
 * a timer through `write` (the store's write queue, so they share a commit with the requests'
 * writes and never run beside one of its transactions). `close()` writes every use not yet
 * written, so a clean shutdown leaves `last_used` exact. A failed write is dropped and the
 * token's next use queues a new one: last_used is bookkeeping, never worth failing a request for.
 */
export class LastUsed {
  private readonly uses = new Map<string, Use>()
  private readonly pending = new Set<string>()
  private timer: ReturnType<typeof setTimeout> | undefined
  private closed = false
  private readonly everyMs: number
  private readonly delayMs: number
  private readonly now: () => number

  constructor(
    private readonly write: UsageWriter,
    options: LastUsedOptions = {}
  ) {
    this.everyMs = options.everyMs ?? 60_000
    this.delayMs = options.delayMs ?? 5000
    this.now = options.now ?? Date.now
  }

  /** Called for each request a token authenticated. */
  seen(id: string): void {
    if (this.closed) return
    const now = this.now()
    let use = this.uses.get(id)
    if (use === undefined) {
      use = { latest: now, queued: Number.NEGATIVE_INFINITY, written: Number.NEGATIVE_INFINITY }
      this.uses.set(id, use)
    }
    use.latest = now
    if (now - use.queued < this.everyMs) return
    use.queued = now
    this.pending.add(id)
    if (this.timer === undefined) {
      this.timer = setTimeout(() => void this.flush(), this.delayMs)
      // A pending write never keeps a process alive; close() writes it on the way out.
      this.timer.unref?.()
    }
  }

  /** Hands the queued uses to the writer (the timer does this; tests call it directly). */
  flush(): Promise<void> {
    clearTimeout(this.timer)
    this.timer = undefined
    if (this.pending.size === 0) return Promise.resolve()
    const batch = new Map<string, string>()
    for (const id of this.pending) {
      const use = this.uses.get(id)!
      use.written = use.latest
      batch.set(id, new Date(use.latest).toISOString())
    }
    this.pending.clear()
    return this.write(batch).then(
      () => undefined,
      () => {
        for (const id of batch.keys()) {
          const use = this.uses.get(id)
          if (use) use.queued = Number.NEGATIVE_INFINITY
        }
      }
    )
  }

  /** Writes every use not written yet and stops noting new ones; call before the store closes. */
  close(): Promise<void> {
    for (const [id, use] of this.uses) if (use.latest > use.written) this.pending.add(id)
    const done = this.flush()
    this.closed = true
    return done
  }
}

/**
 * The writer over `db`, run through `queue` (the store's write queue). A use never moves
 * `last_used` back, whatever order writes land in.
 */
export function usageWriter(db: Database, queue: (fn: () => void) => Promise<unknown>): UsageWriter {
  const update = db.query<unknown, [string, string]>(
    'UPDATE tokens SET last_used = ?1 WHERE id = ?2 AND (last_used IS NULL OR last_used < ?1)'
  )
  return (uses) =>
    queue(() => {
      for (const [id, at] of uses) update.run(at, id)
    })
}
