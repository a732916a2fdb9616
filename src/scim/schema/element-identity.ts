// When two elements of a multi-valued attribute are the same one: RFC 7643 §2.4's (type, value) pair.
import { foldCase } from '../case-fold'
import { canonicalJson, isObject } from '../document'
import type { CompiledAttribute } from './types'

/** A string as an attribute compares it: folded unless the attribute is caseExact (RFC 7643 §2.3.1). */
function compared(attr: CompiledAttribute | undefined, v: unknown): unknown {
  return typeof v === 'string' && attr !== undefined && !attr.caseExact ? foldCase(v) : v
}

/**
 * What makes an element the same one as another of `attr`: for a complex element with a `value`,
 * its (type, value) pair, each compared as its sub-attribute compares (RFC 7643 §2.4: "SHOULD NOT
 * return the same (type, value) combination more than once per attribute"); for anything else,
 * the element as a whole.
 */
export function identityOf(attr: CompiledAttribute, e: unknown): string {
  if (!isObject(e) || e.value === undefined || !attr.sub.has('value')) return canonicalJson(e)
  return canonicalJson([compared(attr.sub.get('type'), e.type) ?? null, compared(attr.sub.get('value'), e.value)])
}
