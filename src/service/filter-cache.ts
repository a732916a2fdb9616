// Parsed-and-resolved filters, cached by text: Entra repeats the same few filter shapes all day.
import { LRUCache } from 'lru-cache'
import type { FilterNode } from '../scim/filter/ast'
import { parseFilter } from '../scim/filter/parser'
import { resolveFilter, type ResolvedFilter } from '../scim/filter/resolve'
import type { ResourceType } from '../scim/schema/types'

export interface CompiledFilter {
  ast: FilterNode
  resolved: ResolvedFilter
}

/** The parser stays pure; the cache belongs to its caller (house style §3.5). */
export class FilterCache {
  private readonly lru = new LRUCache<string, CompiledFilter>({ max: 1000 })

  compile(type: ResourceType, text: string): CompiledFilter {
    const key = `${type.name}\u0000${text}`
    let hit = this.lru.get(key)
    if (!hit) {
      const ast = parseFilter(text)
      hit = { ast, resolved: resolveFilter(ast, type) }
      this.lru.set(key, hit)
    }
    return hit
  }
}
