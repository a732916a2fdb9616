// Parsed-and-resolved filters, cached by text, so repeated compound filters are parsed once.
import { LRUCache } from 'lru-cache'
import { reportFilter } from '../scim/compat/filter'
import type { CompatSink } from '../scim/compat/rules'
import type { FilterNode } from '../scim/filter/ast'
import { parseFilter } from '../scim/filter/parser'
import { resolveFilter, type ResolvedFilter } from '../scim/filter/resolve'
import type { ResourceType } from '../scim/schema/types'

export interface CompiledFilter {
  ast: FilterNode
  resolved: ResolvedFilter
}

/**
 * The parser stays pure; the cache belongs to its caller (house style §3.5). A bare comparison
 * (`userName eq "…"`, one per object per Entra cycle) is cheap to parse and seldom repeats, so
 * it is not kept: caching it would cost an insert per request and evict the filters that repeat.
 */
export class FilterCache {
  private readonly lru = new LRUCache<string, CompiledFilter>({ max: 1000 })

  /** `fired` is told the filter's IdP leniencies on every call, cached or not. */
  compile(type: ResourceType, text: string, fired?: CompatSink): CompiledFilter {
    const key = `${type.name}\u0000${text}`
    let hit = this.lru.get(key)
    if (!hit) {
      const ast = parseFilter(text)
      hit = { ast, resolved: resolveFilter(ast, type) }
      if (ast.kind !== 'compare') this.lru.set(key, hit)
    }
    reportFilter(hit.ast, hit.resolved, type, fired)
    return hit
  }
}
