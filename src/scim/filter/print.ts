// Canonical filter text with the fewest parentheses; used for tests and as the parse-cache key.
import type { CompValue, FilterNode } from './ast'
import { printAttrPath } from './attr-path'

function printValue(v: CompValue): string {
  return typeof v === 'string' ? JSON.stringify(v) : String(v)
}

/** `and` binds tighter than `or`, so only an `or` directly under an `and` needs parentheses. */
function printChild(node: FilterNode, parent: 'and' | 'or'): string {
  const text = printFilter(node)
  return parent === 'and' && node.kind === 'or' ? `(${text})` : text
}

/**
 * Prints a filter AST. `print(parse(print(parse(s))))` equals `print(parse(s))`.
 * @example printFilter(parseFilter('(a eq 1 and b eq 2) or c eq 3')) // 'a eq 1 and b eq 2 or c eq 3'
 */
export function printFilter(node: FilterNode): string {
  switch (node.kind) {
    case 'and':
    case 'or':
      return `${printChild(node.left, node.kind)} ${node.kind} ${printChild(node.right, node.kind)}`
    case 'not':
      return `not (${printFilter(node.expr)})`
    case 'present':
      return `${printAttrPath(node.path)} pr`
    case 'compare':
      return `${printAttrPath(node.path)} ${node.op} ${printValue(node.value)}`
    case 'valuePath':
      return `${printAttrPath(node.path)}[${printFilter(node.filter)}]`
    default:
      return assertNever(node)
  }
}

export function assertNever(x: never): never {
  throw new Error(`unhandled case: ${JSON.stringify(x)}`)
}
