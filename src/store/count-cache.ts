// Exact totalResults of filtered lists, reused until the next write of any kind.

/**
 * A compound filter over a million users matches thousands of rows, and RFC 7644 wants the exact
 * total on every page: counting them is most of the request (32 ms for 11,111 of 1M). The filter
 * cache hands out one compiled filter object per filter text, so counts are keyed by that object.
 * A filter can read any attribute, a membership or another resource type (`members.value`), so
 * every write forgets every count rather than guessing which ones it changed.
 */
export class CountCache {
  private epoch = 0
  private readonly counts = new WeakMap<object, { epoch: number; total: number }>()

  get(filter: object, count: () => number): number {
    const known = this.counts.get(filter)
    if (known !== undefined && known.epoch === this.epoch) return known.total
    const total = count()
    this.counts.set(filter, { epoch: this.epoch, total })
    return total
  }

  forgetAll(): void {
    this.epoch++
  }
}
