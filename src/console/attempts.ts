// Sign-in attempts per account and per client address: a few failures, then a wait.

export interface AttemptPolicy {
  /** Failures allowed within `windowMs` before further attempts are refused. */
  failures: number
  windowMs: number
  /** Keys kept at most (the oldest goes first); 10,000 unless set. */
  maxKeys?: number
}

/**
 * Failed attempts per key within a sliding window. An attempt counts as failed from the moment it
 * is let through (`fail` before the password is checked), so guesses sent at the same time cannot
 * all pass `wait` while the first ones are still being checked; a success takes its own back
 * (`forgive`), so an admin who signs in is never held up by their own successes, and clears the
 * account's count. The map is capped (the oldest key goes first): addresses are client-chosen,
 * memory is not.
 */
export class AttemptLimiter {
  private readonly failed = new Map<string, number[]>()

  private readonly maxKeys: number

  constructor(private readonly policy: AttemptPolicy) {
    this.maxKeys = policy.maxKeys ?? 10_000
  }

  /** 0 when `key` may try now, else whole seconds until it may. */
  wait(key: string, now: number): number {
    const recent = this.recent(key, now)
    if (recent.length < this.policy.failures) return 0
    return Math.max(1, Math.ceil((recent[0]! + this.policy.windowMs - now) / 1000))
  }

  /** Forgets every key `which` picks (an account's counts from every address). */
  clearAll(which: (key: string) => boolean): void {
    for (const key of [...this.failed.keys()]) if (which(key)) this.failed.delete(key)
  }

  fail(key: string, now: number): void {
    const recent = this.recent(key, now)
    recent.push(now)
    this.failed.delete(key)
    if (this.failed.size >= this.maxKeys) this.failed.delete(this.failed.keys().next().value!)
    this.failed.set(key, recent.slice(-this.policy.failures))
  }

  /** Takes back the failure `fail(key, at)` counted for an attempt that then succeeded. */
  forgive(key: string, at: number): void {
    const recent = this.failed.get(key)
    const i = recent?.lastIndexOf(at) ?? -1
    if (i >= 0) recent!.splice(i, 1)
  }

  clear(key: string): void {
    this.failed.delete(key)
  }

  private recent(key: string, now: number): number[] {
    return (this.failed.get(key) ?? []).filter((at) => at > now - this.policy.windowMs)
  }
}
