// RFC 7644 §3.5.2 valuePath selection: which elements a `attr[filter]` PATCH path addresses.
import { ScimError } from '../errors'
import type { FilterNode } from '../filter/ast'
import { matchesElement } from '../filter/evaluate'
import { resolveValueFilter, type ResolvedFilter } from '../filter/resolve'
import type { CompiledAttribute } from '../schema/types'

/**
 * Binds the inside of `attr[...]` to `attr`'s sub-attributes. In a PATCH path a bad filter is the
 * client's path that is wrong, so the filter resolver's `invalidFilter` becomes `invalidPath`.
 */
export function resolveElementFilter(attr: CompiledAttribute, filter: FilterNode): ResolvedFilter {
  try {
    return resolveValueFilter(filter, attr)
  } catch (err) {
    if (err instanceof ScimError && err.scimType === 'invalidFilter') {
      throw ScimError.invalidPath(`invalid value filter on '${attr.path}': ${err.detail}`)
    }
    throw err
  }
}

/** Indices of the elements that satisfy the resolved inner filter. */
export function selectIndices(filter: ResolvedFilter, elements: readonly unknown[]): number[] {
  const out: number[] = []
  elements.forEach((e, i) => {
    if (matchesElement(filter, e)) out.push(i)
  })
  return out
}

/**
 * The element a filter describes when it is a conjunction of `eq` tests:
 * `addresses[type eq "work"]` → `{ type: "work" }`. Entra writes `emails[type eq "work"].value`
 * to users that have no work email and expects it created (entra-wire.md §1.6, §2.2 Q7), unlike
 * RFC 7644 §3.5.2.3's `noTarget`. Anything else (or, ne, co…) cannot describe one: undefined.
 */
export function elementFromFilter(filter: ResolvedFilter): Record<string, unknown> | undefined {
  switch (filter.kind) {
    case 'compare': {
      if (filter.op !== 'eq' || filter.value === null || filter.attr.sub) return undefined
      return { [filter.attr.attr.name]: filter.value }
    }
    case 'and': {
      const left = elementFromFilter(filter.left)
      const right = elementFromFilter(filter.right)
      if (!left || !right) return undefined
      for (const k of Object.keys(right)) if (k in left && left[k] !== right[k]) return undefined
      return { ...left, ...right }
    }
    default:
      return undefined
  }
}

/** The ids named by `value eq "x"` or an `or` of such; undefined for any other filter shape. */
export function memberIdsOf(filter: ResolvedFilter): string[] | undefined {
  if (filter.kind === 'or') {
    const l = memberIdsOf(filter.left)
    const r = memberIdsOf(filter.right)
    return l && r ? [...l, ...r] : undefined
  }
  if (
    filter.kind === 'compare' &&
    filter.op === 'eq' &&
    typeof filter.value === 'string' &&
    filter.attr.attr.name === 'value'
  ) {
    return [filter.value]
  }
  return undefined
}
