// Each entry's SET signed once per feed and shared by every consumer of the tenant that takes it.
import type { JournalEntry } from '../journal/types'
import { jtiOf, setClaims, type Feed, type SetClaims } from './set'

/**
 * ES256 signing is the largest cost of an event (~25 µs of CPU on the thread that serves every
 * request), and the claims of an entry depend only on the entry and the feed (`iss`, `aud`): the
 * poller and each push receiver of a tenant get the same SET, so it is built and signed once, on
 * first delivery, and kept for the others and for retries. Consumers move forward through the
 * journal, so the oldest signed SETs go first once `capacity` is reached; one that lags further
 * behind than that signs its own again.
 */
export class SignedSets {
  private readonly sets = new Map<string, string>()

  constructor(
    private readonly sign: (tenant: string, claims: SetClaims) => string,
    private readonly capacity = 4096
  ) {}

  /** The compact SET of `entry` in `feed`, signed now unless it already was. */
  of(entry: JournalEntry, feed: Feed): string {
    // The jti names the entry (position and hash); issuer and audience name the feed.
    const key = `${entry.tenant} ${feed.issuer} ${feed.audience} ${jtiOf(entry)}`
    const known = this.sets.get(key)
    if (known !== undefined) return known
    const set = this.sign(entry.tenant, setClaims(entry, feed))
    if (this.sets.size >= this.capacity) this.sets.delete(this.sets.keys().next().value as string)
    this.sets.set(key, set)
    return set
  }
}
