// Serialised default views of users, reused while the row and the memberships are unchanged.
import { LRUCache } from 'lru-cache'

/**
 * A user's default view depends on its row (id, version) and on its groups, which change with
 * memberships and group names (the store's membership epoch), plus the request's base URL.
 * Keys carry all four, so a stale entry can never be served: it just stops being asked for.
 */
export class ViewCache {
  private readonly lru: LRUCache<string, { json: string; etag: string }>

  constructor(max = 10_000) {
    this.lru = new LRUCache({ max })
  }

  getOrRender(id: string, version: number, epoch: number, base: string, render: () => { json: string; etag: string }): { json: string; etag: string } {
    const key = `${id}\u0000${version}\u0000${epoch}\u0000${base}`
    let view = this.lru.get(key)
    if (view === undefined) {
      view = render()
      this.lru.set(key, view)
    }
    return view
  }
}
