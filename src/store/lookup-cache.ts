// LRU cache in front of the hot reads: by id, and the `userName eq` / `externalId eq` lookups Entra sends every cycle.
import { LRUCache } from 'lru-cache'
import type { RawRows } from './hot-statements'
import { packRows, unpackRows } from './packed-rows'

export type LookupKind = 'id' | 'name' | 'externalId'

/**
 * What every key of one tenant's store starts with: its name and generation. The stores of all
 * tenants share one cache, and a tenant removed and added again keeps its name, so the name alone
 * would hand the new tenant the removed one's entries; under a new generation they are never
 * looked at again and age out. Names and generations cannot hold NUL, so no two scopes meet.
 */
export function lookupScope(tenant: string, generation = ''): string {
  return `${tenant}\u0000${generation}\u0000`
}

/** Bits of the admission table (128 KiB): one per key hash, so ~500,000 first misses fit before it starts over. */
const DOORKEEPER_BITS = 1 << 20

/**
 * What an entry costs beyond its key and value text (the LRU's map entry and list slots), counted
 * into the byte budget so that many small entries (the empty results of create-if-missing probes)
 * are bounded honestly as well.
 */
const ENTRY_OVERHEAD_BYTES = 80

/**
 * Keys are (resource type, kind, lookup value) and values the matching rows, packed into one
 * string (packed-rows.ts), including empty results (Entra's Test Connection and create-if-missing
 * probes are misses by design). A write invalidates the keys of every row it changes, before and
 * after, including rows that change because their groups or members did (store/staleness.ts), so
 * no read sees a stale answer.
 *
 * A key is admitted on its second miss, not its first: an Entra cycle or a bulk import asks for
 * each object once, and caching those one-off answers costs an insert, an eviction and garbage per
 * request while pushing out the lookups that do repeat. A bit per key hash (a "doorkeeper", as
 * in TinyLFU) remembers the first miss; a hash collision only admits a key one miss early.
 */
export class LookupCache {
  private readonly lru: LRUCache<string, string>
  private readonly seen = new Uint32Array(DOORKEEPER_BITS / 32)
  private marked = 0
  hits = 0
  misses = 0

  /**
   * At most `maxBytes` of packed text and bookkeeping, and at most `max` entries when given: a
   * count alone let 150 lookups of 1 MB users keep 135 MB, and a count of 10,000 under the 64 MiB
   * default let the budget hold a twentieth of what it allowed (~700 bytes a user), so a server of
   * 50 tenants kept 200 lookups a tenant. Sizes are string lengths, which is bytes for the ASCII
   * text stored documents mostly are.
   */
  constructor(max: number | undefined, maxBytes: number) {
    this.lru = new LRUCache({
      max: max ?? 0,
      maxSize: maxBytes,
      sizeCalculation: (value, key) => value.length + key.length + ENTRY_OVERHEAD_BYTES,
    })
  }

  private key(type: string, kind: LookupKind, value: string): string {
    return `${type}\u0000${kind}\u0000${value}`
  }

  get(type: string, kind: LookupKind, value: string, load: () => RawRows): RawRows {
    const key = this.key(type, kind, value)
    const hit = this.lru.get(key)
    if (hit !== undefined) {
      this.hits++
      return unpackRows(hit)
    }
    this.misses++
    const rows = load()
    this.admit(key, () => packRows(rows))
    return rows
  }

  /**
   * The text cached under a key, for a caller that checks an entry before it counts as a hit (the
   * PostgreSQL store's entries carry the journal head they were read at); it counts hits itself.
   */
  peek(type: string, kind: LookupKind, value: string): string | undefined {
    return this.lru.get(this.key(type, kind, value))
  }

  /** Keeps the text `make` gives under a key, on the key's second miss (see admit). */
  offer(type: string, kind: LookupKind, value: string, make: () => string | undefined): void {
    this.admit(this.key(type, kind, value), make)
  }

  /** The doorkeeper's rule: a key is kept from its second miss on; `make` runs only then. */
  private admit(key: string, make: () => string | undefined): void {
    if (!this.seenBefore(key)) return
    const text = make()
    if (text !== undefined) this.lru.set(key, text)
  }

  /**
   * Records `key` in the doorkeeper; true when it was already there. A bit per hash, not the hash
   * in a slot: two keys whose hashes shared a slot overwrote each other on every miss, so neither
   * was ever admitted (with 20,000 keys in turn, a quarter of them). A shared bit admits a key one
   * miss early instead. Once half the bits are set, it starts over, so stale marks do not pile up.
   */
  private seenBefore(key: string): boolean {
    const bit = Bun.hash.crc32(key) & (DOORKEEPER_BITS - 1)
    const word = bit >>> 5
    const mask = 1 << (bit & 31)
    if ((this.seen[word]! & mask) !== 0) return true
    if (++this.marked > DOORKEEPER_BITS / 2) {
      this.seen.fill(0)
      this.marked = 1
    }
    this.seen[word]! |= mask
    return false
  }

  /** Forgets every entry (another process changed the database). */
  clear(): void {
    this.lru.clear()
  }

  invalidate(type: string, id: string, nameKey: string | null, externalId: string | null): void {
    this.lru.delete(this.key(type, 'id', id))
    if (nameKey !== null) this.lru.delete(this.key(type, 'name', nameKey))
    if (externalId !== null) this.lru.delete(this.key(type, 'externalId', externalId))
  }
}
