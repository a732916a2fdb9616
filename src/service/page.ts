// A list response's page of serialised resources, held to the response byte budget.
import { fitsResponse, type Limits } from '../scim/limits'

/** UTF-8 takes at most 3 bytes per UTF-16 code unit (a surrogate pair: 4 bytes for 2), so length × 3 bounds a text's bytes. */
const MAX_UTF8_BYTES_PER_UNIT = 3

/**
 * RFC 7644 §3.4.2.4 lets a page hold fewer than `count`: itemsPerPage says how many it holds and
 * the client pages on from there. Streaming would bound memory as well, but a streamed body that
 * fails halfway cannot become an error response any more.
 *
 * A resource is refused exactly when the UTF-8 bytes of the page with it would pass the budget
 * (the first always fits), but its bytes are counted only when that is in doubt: while length × 3
 * of what the page holds fits, it fits for sure. Counting every resource cost a filter lookup half
 * a microsecond of its ~17, for a budget (8 MiB) that one user seldom comes near.
 */
export class Page {
  readonly resources: string[] = []
  full = false
  /** UTF-8 bytes of resources[0, counted). */
  private bytes = 0
  private counted = 0
  /** length × 3 of the resources not counted yet. */
  private uncountedBound = 0
  private largestBytes = 0

  /** Adds a resource while the budget lasts; false (and `full`) once it is spent. */
  add(json: string, limits: Limits): boolean {
    if (this.full) return false
    const bound = json.length * MAX_UTF8_BYTES_PER_UNIT
    if (this.resources.length === 0 || this.bytes + this.uncountedBound + bound <= limits.maxResponseBytes) {
      this.resources.push(json)
      this.uncountedBound += bound
      return true
    }
    this.count()
    const size = Buffer.byteLength(json)
    if (!fitsResponse(this.bytes, size, limits)) {
      this.full = true
      return false
    }
    this.resources.push(json)
    this.counted++
    this.bytes += size
    this.largestBytes = Math.max(this.largestBytes, size)
    return true
  }

  /** The UTF-8 bytes the page holds. */
  get spent(): number {
    this.count()
    return this.bytes
  }

  /** The UTF-8 bytes of its largest resource. */
  get largest(): number {
    this.count()
    return this.largestBytes
  }

  private count(): void {
    for (; this.counted < this.resources.length; this.counted++) {
      const size = Buffer.byteLength(this.resources[this.counted]!)
      this.bytes += size
      this.largestBytes = Math.max(this.largestBytes, size)
    }
    this.uncountedBound = 0
  }
}
