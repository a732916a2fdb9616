// The filter leniencies a list request needed (filter-unquoted, filter-vpath-sub, bool-string, …).
import type { FilterNode } from '../filter/ast'
import type { ResolvedFilter } from '../filter/resolve'
import type { ResourceType } from '../schema/types'
import type { CompatSink } from './rules'

type Leaf = Extract<ResolvedFilter, { kind: 'present' | 'compare' }>

/** A top-level attribute named without its URN that only an extension declares (`manager.value`). */
function reportUnqualified(
  res: Leaf | Extract<ResolvedFilter, { kind: 'valuePath' }>,
  type: ResourceType,
  fired: CompatSink
) {
  const schema = res.kind === 'valuePath' ? res.attr.schema : res.attr.attr.schema
  if (res.path.uri === undefined && type.extensions.has(schema.toLowerCase())) fired('unqualified-extension')
}

/**
 * Walks a parsed filter and its resolved twin (resolveFilter keeps the shape node for node) and
 * reports what RFC 7644 §3.4.2.2 would refuse: a value without quotes read as a string
 * (`externalId eq jyoung` in an Entra doc example, `externalId eq 00271` on a string attribute),
 * a comparison after a value filter (`emails[type eq "work"].value eq "x"`), a quoted boolean (`roles[primary eq "True"]`), an extension attribute without its URN.
 * Works on cached filters, so every request that sends one reports it.
 */
export function reportFilter(ast: FilterNode, res: ResolvedFilter, type: ResourceType, fired?: CompatSink): void {
  if (fired) walk(ast, res, type, true, fired)
}

function walk(ast: FilterNode, res: ResolvedFilter, type: ResourceType, top: boolean, fired: CompatSink): void {
  switch (res.kind) {
    case 'and':
    case 'or':
      if (ast.kind !== 'and' && ast.kind !== 'or') return
      walk(ast.left, res.left, type, top, fired)
      walk(ast.right, res.right, type, top, fired)
      return
    case 'not':
      if (ast.kind === 'not') walk(ast.expr, res.expr, type, top, fired)
      return
    case 'present':
      if (top) reportUnqualified(res, type, fired)
      return
    case 'compare':
      if (ast.kind !== 'compare') return
      if (ast.raw !== undefined && typeof res.value === 'string') fired('filter-unquoted')
      if (typeof ast.value === 'string' && typeof res.value === 'boolean') fired('bool-string')
      if (top) reportUnqualified(res, type, fired)
      return
    case 'valuePath':
      if (ast.kind !== 'valuePath') return
      if (ast.trailing !== undefined) fired('filter-vpath-sub')
      reportUnqualified(res, type, fired)
      walk(ast.filter, res.filter, type, false, fired)
      return
  }
}
