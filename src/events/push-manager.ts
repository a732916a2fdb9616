// Runs one PushReceiver per configured receiver URL and tenant, and counts what they still owe.
import type { Effect } from '../service/effect'
import { PushReceiver, type PushDeps, type PushOptions, type ReceiverStats } from './push'

/** Receivers are keyed by tenant and URL, so the same URL for two tenants is two streams. */
export class PushManager {
  private readonly receivers = new Map<string, PushReceiver>()
  private readonly unsubscribe: () => void

  constructor(
    private readonly deps: PushDeps,
    private readonly options: PushOptions = {}
  ) {
    this.unsubscribe = deps.reader.onAppend((tenants) => {
      for (const receiver of this.receivers.values()) if (tenants.has(receiver.tenant)) receiver.notify()
    })
  }

  /** Makes the running receivers those of `urls` (tenant → receiver URLs): new ones start, removed ones stop. */
  configure(urls: ReadonlyMap<string, readonly string[]>): void {
    const wanted = new Set<string>()
    for (const [tenant, list] of urls) {
      for (const url of list) {
        const key = `${tenant} ${url}`
        wanted.add(key)
        if (!this.receivers.has(key)) this.receivers.set(key, new PushReceiver(this.deps, tenant, url, this.options))
      }
    }
    for (const [key, receiver] of this.receivers) {
      if (!wanted.has(key)) {
        this.receivers.delete(key)
        void receiver.close()
      }
    }
  }

  /**
   * Events not yet accepted, summed over every receiver this server delivers to (an event owed to
   * two receivers counts twice).
   */
  *undelivered(): Effect<number> {
    let total = 0
    for (const receiver of [...this.receivers.values()]) total += yield* receiver.backlog()
    return total
  }

  /** Resolves once every receiver has nothing left to send (a drain before shutdown, a test's sync point). */
  async whenIdle(): Promise<void> {
    await Promise.all([...this.receivers.values()].map((r) => r.whenIdle()))
  }

  stats(): ReceiverStats {
    const sum: ReceiverStats = { delivered: 0, rejected: 0, retries: 0 }
    for (const { stats } of this.receivers.values()) {
      sum.delivered += stats.delivered
      sum.rejected += stats.rejected
      sum.retries += stats.retries
    }
    return sum
  }

  async close(): Promise<void> {
    this.unsubscribe()
    const all = [...this.receivers.values()]
    this.receivers.clear()
    await Promise.all(all.map((r) => r.close()))
  }
}
