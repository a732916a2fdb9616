// LRU cache in front of the hot `userName eq` / `externalId eq` lookups Entra sends every cycle.
import { LRUCache } from 'lru-cache'
import type { RawRows } from './hot-statements'

export type LookupKind = 'name' | 'externalId'

/**
 * Keys are (resource type, kind, lookup value) and values the matching rows, including empty
 * results (Entra's Test Connection and create-if-missing probes are misses by design). Every
 * write invalidates the keys of the row before and after it changed, so no read sees a stale answer.
 */
export class LookupCache {
  private readonly lru: LRUCache<string, RawRows>
  hits = 0
  misses = 0

  constructor(max: number) {
    this.lru = new LRUCache({ max })
  }

  private key(type: string, kind: LookupKind, value: string): string {
    return `${type}\u0000${kind}\u0000${value}`
  }

  get(type: string, kind: LookupKind, value: string, load: () => RawRows): RawRows {
    const key = this.key(type, kind, value)
    const hit = this.lru.get(key)
    if (hit) {
      this.hits++
      return hit
    }
    this.misses++
    const rows = load()
    this.lru.set(key, rows)
    return rows
  }

  invalidate(type: string, nameKey: string | null, externalId: string | null): void {
    if (nameKey !== null) this.lru.delete(this.key(type, 'name', nameKey))
    if (externalId !== null) this.lru.delete(this.key(type, 'externalId', externalId))
  }
}
