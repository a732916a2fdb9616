// A root search's filter as one resource type sees it: a type without an attribute holds no value of it.
import { ScimError } from '../scim/errors'
import type { AttrPath, FilterNode } from '../scim/filter/ast'
import { evaluateFilter } from '../scim/filter/evaluate'
import { lookupAttribute, resolveFilter } from '../scim/filter/resolve'
import type { ResourceType } from '../scim/schema/types'

/** A filter for one type: a node without the attributes it lacks, or what it is for every resource of it. */
export type TypeFilter = FilterNode | boolean

const has = (type: ResourceType, path: AttrPath) => typeof lookupAttribute(path, type) !== 'string'

/**
 * RFC 7644 §3.4.3: a search at the root filters the resources of every type. A comparison on an
 * attribute that `type` lacks is what it is on a resource that has no value of it (as
 * evaluateFilter decides for such a resource of a type that has the attribute: `pr` and `eq "x"`
 * false, `ne "x"` and `eq null` true), so `members pr or userName eq "b"` asks users for `userName
 * eq "b"` and groups for `members pr`, and `not (members pr)` keeps every user. An attribute no
 * type has is a 400 invalidFilter, as on one type's endpoint. Parts that do not change come back
 * as they were, so an untouched filter is `ast` itself.
 */
export function filterForType(ast: FilterNode, type: ResourceType, types: readonly ResourceType[]): TypeFilter {
  switch (ast.kind) {
    case 'and':
    case 'or': {
      const left = filterForType(ast.left, type, types)
      const right = filterForType(ast.right, type, types)
      const decides = ast.kind === 'or' // true decides an `or`, false an `and`
      if (left === decides || right === decides) return decides
      // What is left of a boolean is the other side's value: `false or x` is x, `true and x` is x.
      if (typeof left === 'boolean') return right
      if (typeof right === 'boolean') return left
      return left === ast.left && right === ast.right ? ast : { kind: ast.kind, left, right }
    }
    case 'not': {
      const expr = filterForType(ast.expr, type, types)
      if (typeof expr === 'boolean') return !expr
      return expr === ast.expr ? ast : { kind: 'not', expr }
    }
    default: {
      if (has(type, ast.path)) return ast
      const holder = types.find((t) => has(t, ast.path))
      if (!holder) throw ScimError.invalidFilter(lookupAttribute(ast.path, type) as string)
      return evaluateFilter(resolveFilter(ast, holder), {})
    }
  }
}
