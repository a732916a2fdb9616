// LRU cache in front of the hot reads: by id, and the `userName eq` / `externalId eq` lookups Entra sends every cycle.
import { LRUCache } from 'lru-cache'
import type { RawRows } from './hot-statements'
import { packRows, unpackRows } from './packed-rows'

export type LookupKind = 'id' | 'name' | 'externalId'

/** Slots in the admission table: recent first-time lookups it remembers (4 bytes each). */
const DOORKEEPER_SLOTS = 1 << 16

/**
 * Keys are (resource type, kind, lookup value) and values the matching rows, packed into one
 * string (packed-rows.ts), including empty results (Entra's Test Connection and create-if-missing
 * probes are misses by design). A write invalidates the keys of every row it changes, before and
 * after, including rows that change because their groups or members did (store/staleness.ts), so
 * no read sees a stale answer.
 *
 * A key is admitted on its second miss, not its first: an Entra cycle or a bulk import asks for
 * each object once, and caching those one-off answers costs an insert, an eviction and garbage per
 * request while pushing out the lookups that do repeat. A table of key hashes (a "doorkeeper", as
 * in TinyLFU) remembers the first miss; a hash collision only admits a key one miss early.
 */
export class LookupCache {
  private readonly lru: LRUCache<string, string>
  private readonly seen = new Uint32Array(DOORKEEPER_SLOTS)
  hits = 0
  misses = 0

  /**
   * At most `max` entries and `maxBytes` of packed text, whichever is reached first: a count
   * alone let 150 lookups of 1 MB users keep 135 MB. Sizes are string lengths, which is bytes
   * for the ASCII text stored documents mostly are.
   */
  constructor(max: number, maxBytes: number) {
    this.lru = new LRUCache({ max, maxSize: maxBytes, sizeCalculation: (value, key) => value.length + key.length })
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
    const packed = this.seenBefore(key) ? packRows(rows) : undefined
    if (packed !== undefined) this.lru.set(key, packed)
    return rows
  }

  /** Records `key` in the doorkeeper; true when it was already there. */
  private seenBefore(key: string): boolean {
    // `| 1` keeps a real hash from ever equalling an empty slot's 0.
    const hash = (Bun.hash.crc32(key) | 1) >>> 0
    const slot = hash & (DOORKEEPER_SLOTS - 1)
    if (this.seen[slot] === hash) return true
    this.seen[slot] = hash
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
