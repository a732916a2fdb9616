// Each entry's SET signed once per feed and shared by every consumer of the tenant that takes it.
import type { JournalEntry } from '../journal/types'
import { signCompact, type SigningKey } from './jws'
import { jtiOf, setClaims, type Feed, type SetClaims } from './set'
import type { Later } from './store'

/**
 * ES256 signing is the largest cost of an event (~25 µs of CPU on the thread that serves every
 * request), and the claims of an entry depend only on the entry and the feed (`iss`, `aud`): the
 * poller and each push receiver of a tenant get the same SET, so it is built and signed once, on
 * first delivery, and kept for the others and for retries. Consumers move forward through the
 * journal, so the oldest signed SETs go first once `capacity` is reached; one that lags further
 * behind than that signs its own again. The key's kid is part of the name: a SET signed with a
 * key the tenant no longer has (removed and added again) is never handed out for its new key.
 * Bounded in bytes as well as in count: a SET holds its entry's changes, so a create of a large
 * document signs into a SET of up to the document's size (~1 MB), and 4,096 of those would be 4 GB.
 */
/** SETs signed in one turn of the event loop at most (~1.5 ms at ~25 µs each). */
export const SIGN_TURN = 64

export class SignedSets {
  private readonly sets = new Map<string, string>()
  /** UTF-16 units held in keys and SETs (about bytes: names and SETs are ASCII). */
  private held = 0

  constructor(
    private readonly sign: (claims: SetClaims, key: SigningKey) => string = signCompact,
    private readonly capacity = 4096,
    private readonly maxBytes = 8 * 1024 * 1024
  ) {}

  /** The compact SET of `entry` in `feed` signed with `key`, signed now unless it already was. */
  of(entry: JournalEntry, feed: Feed, signingKey: SigningKey): string {
    const name = this.nameOf(entry, feed, signingKey)
    return this.sets.get(name) ?? this.signed(name, entry, feed, signingKey)
  }

  /**
   * The SETs of `entries`, in their order. At most SIGN_TURN are signed in one turn of the event
   * loop: a poll of 1,000 new events signs for ~25 ms, and every other request of every tenant
   * waited for all of it. When nothing needs signing the answer comes at once (no promise).
   */
  allOf(entries: readonly JournalEntry[], feed: Feed, signingKey: SigningKey): Later<string[]> {
    const out: string[] = []
    let i = 0
    let fresh = 0
    const go = (): Later<string[]> => {
      for (; i < entries.length; i++) {
        const entry = entries[i]!
        const name = this.nameOf(entry, feed, signingKey)
        const known = this.sets.get(name)
        if (known !== undefined) {
          out.push(known)
          continue
        }
        if (fresh === SIGN_TURN) {
          fresh = 0
          return new Promise<void>((resolve) => setImmediate(resolve)).then(go)
        }
        fresh++
        out.push(this.signed(name, entry, feed, signingKey))
      }
      return out
    }
    return go()
  }

  /** The jti names the entry (position and hash); issuer and audience name the feed; the kid the key. */
  private nameOf(entry: JournalEntry, feed: Feed, signingKey: SigningKey): string {
    return `${entry.tenant} ${signingKey.kid} ${feed.issuer} ${feed.audience} ${jtiOf(entry)}`
  }

  private signed(key: string, entry: JournalEntry, feed: Feed, signingKey: SigningKey): string {
    const set = this.sign(setClaims(entry, feed), signingKey)
    const size = key.length + set.length
    // One larger than the whole budget is handed out unkept.
    if (size > this.maxBytes) return set
    while (this.sets.size >= this.capacity || this.held + size > this.maxBytes) this.evictOldest()
    this.sets.set(key, set)
    this.held += size
    return set
  }

  /** Units held now (tests). */
  get heldBytes(): number {
    return this.held
  }

  private evictOldest(): void {
    const [oldest, set] = this.sets.entries().next().value as [string, string]
    this.sets.delete(oldest)
    this.held -= oldest.length + set.length
  }
}
