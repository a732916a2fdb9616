// RFC 7644 §3.4.2.2 recursive-descent filter parser: or → and → not → primary, with limits.
import { ScimError, quoted } from '../errors'
import type { AttrPath, CompareOp, CompValue, FilterNode } from './ast'
import { parseAttrPath } from './attr-path'
import { tokenize, type Token } from './lexer'
import { isStorableText } from '../storable'

const COMPARE_OPS = new Set<string>(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'])
const NUMBER = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/

export interface FilterLimits {
  /** Longest filter text accepted, in characters. */
  maxLength: number
  /** Most AST nodes accepted; also the deepest nesting of groups and value filters. */
  maxNodes: number
  /**
   * Most terms testing a member's or a group's `display` (`members.display`, `groups.display`),
   * which the stores read through the membership join for each resource: the costliest term
   * there is (at 100,000 users, one such term 0.7 s, ten 3.2 s). Enforced by the stores' SQL
   * translators, which know where an attribute is kept; the parser does not.
   */
  maxMemberDisplayTerms?: number
}

export const DEFAULT_FILTER_LIMITS: FilterLimits = { maxLength: 4096, maxNodes: 200, maxMemberDisplayTerms: 10 }

class Parser {
  private i = 0
  private nodes = 0
  private depth = 0

  constructor(
    private readonly tokens: Token[],
    private readonly limits: FilterLimits
  ) {}

  private peek(): Token {
    return this.tokens[this.i]!
  }
  private next(): Token {
    return this.tokens[this.i++]!
  }
  private isWord(word: string): boolean {
    const t = this.peek()
    return t.kind === 'word' && t.text.toLowerCase() === word
  }
  private fail(token: Token, expected: string): never {
    const found = token.kind === 'end' ? 'end of filter' : quoted(token.text)
    throw ScimError.invalidFilter(`expected ${expected} at position ${token.pos}, found ${found}`)
  }
  private node<T extends FilterNode>(n: T): T {
    if (++this.nodes > this.limits.maxNodes) {
      throw ScimError.invalidFilter(`filter has more than ${this.limits.maxNodes} expressions`)
    }
    return n
  }
  /**
   * Entering a group or value filter: `(` and `not (` recurse before any node is counted, so
   * depth is bounded here, by the node limit (each level holds at least one node), before the
   * call stack runs out.
   */
  private enter(): void {
    if (++this.depth > this.limits.maxNodes) {
      throw ScimError.invalidFilter(`filter is nested more than ${this.limits.maxNodes} levels deep`)
    }
  }

  parseAll(inValuePath = false): FilterNode {
    const result = this.parseOr(inValuePath)
    if (this.peek().kind !== 'end') this.fail(this.peek(), "'and', 'or' or end of filter")
    return result
  }

  private parseOr(inValuePath: boolean): FilterNode {
    let left = this.parseAnd(inValuePath)
    while (this.isWord('or')) {
      this.next()
      left = this.node({ kind: 'or', left, right: this.parseAnd(inValuePath) })
    }
    return left
  }

  private parseAnd(inValuePath: boolean): FilterNode {
    let left = this.parseUnary(inValuePath)
    while (this.isWord('and')) {
      this.next()
      left = this.node({ kind: 'and', left, right: this.parseUnary(inValuePath) })
    }
    return left
  }

  private parseUnary(inValuePath: boolean): FilterNode {
    if (this.isWord('not') && this.tokens[this.i + 1]?.kind === 'lparen') {
      this.next()
      return this.node({ kind: 'not', expr: this.parseGroup(inValuePath) })
    }
    return this.parsePrimary(inValuePath)
  }

  private parseGroup(inValuePath: boolean): FilterNode {
    this.enter()
    this.next() // '('
    const inner = this.parseOr(inValuePath)
    if (this.peek().kind !== 'rparen') this.fail(this.peek(), "')'")
    this.next()
    this.depth--
    return inner
  }

  private parsePrimary(inValuePath: boolean): FilterNode {
    const t = this.peek()
    if (t.kind === 'lparen') return this.parseGroup(inValuePath)
    if (t.kind !== 'word') this.fail(t, 'an attribute path or (')
    const keyword = t.text.toLowerCase()
    if (keyword === 'not')
      throw ScimError.invalidFilter(`'not' must be followed by '(' at position ${this.tokens[this.i + 1]!.pos}`)
    if (keyword === 'and' || keyword === 'or') this.fail(t, 'an attribute path or (')
    this.next()
    const path = parseAttrPath(t.text)
    if (!path) throw ScimError.invalidFilter(`invalid attribute path ${quoted(t.text)} at position ${t.pos}`)
    if (this.peek().kind === 'lbracket') {
      if (inValuePath) throw ScimError.invalidFilter(`nested value filter at position ${this.peek().pos}`)
      return this.parseValuePath(path)
    }
    return this.parseComparison(path)
  }

  /** `emails[type eq "work"]`, and the common extension `emails[type eq "work"].value eq "x"`. */
  private parseValuePath(path: AttrPath): FilterNode {
    if (path.sub !== undefined)
      throw ScimError.invalidFilter(
        `a value filter cannot follow a sub-attribute (${quoted(`${path.name}.${path.sub}[`)}) at position ${this.peek().pos}`
      )
    this.enter()
    this.next() // '['
    const inner = this.parseOr(true)
    if (this.peek().kind !== 'rbracket') this.fail(this.peek(), "']'")
    this.next()
    this.depth--
    if (this.peek().kind !== 'subAttr') return this.node({ kind: 'valuePath', path, filter: inner })
    // Entra documents `emails[type eq "work"].value eq "x"` for matching: same element, both conditions.
    const sub = this.next().text
    const cond = this.parseComparison({ name: sub })
    const filter = this.node({ kind: 'and', left: inner, right: cond })
    return this.node({ kind: 'valuePath', path, filter, trailing: sub })
  }

  private parseComparison(path: AttrPath): FilterNode {
    const opToken = this.peek()
    if (opToken.kind !== 'word') this.fail(opToken, 'an operator')
    const op = opToken.text.toLowerCase()
    this.next()
    if (op === 'pr') return this.node({ kind: 'present', path })
    if (!COMPARE_OPS.has(op))
      throw ScimError.invalidFilter(`unknown operator ${quoted(opToken.text)} at position ${opToken.pos}`)
    const valueToken = this.peek()
    const value = this.parseValue()
    const node: FilterNode = { kind: 'compare', path, op: op as CompareOp, value }
    if ((typeof value === 'number' || typeof value === 'string') && valueToken.kind === 'word')
      node.raw = valueToken.text
    return this.node(node)
  }

  private parseValue(): CompValue {
    const t = this.peek()
    if (t.kind === 'string') {
      this.next()
      return t.text
    }
    if (t.kind !== 'word') this.fail(t, 'a comparison value')
    this.next()
    const lower = t.text.toLowerCase()
    if (lower === 'true') return true
    if (lower === 'false') return false
    if (lower === 'null') return null
    if (NUMBER.test(t.text)) return Number(t.text)
    // Lenient: an unquoted value (`externalId eq jyoung`, as one Entra doc example shows) is a string.
    return t.text
  }
}

/**
 * One comparison with a plain quoted string (`userName eq "bjensen"`), the form Entra sends for
 * every object in every cycle, read with one regular expression instead of the tokenizer and
 * parser. Anything else (escapes, control characters, lone surrogates, other shapes) takes the
 * full parser, which gives the same AST for this form (the parser tests check the two agree).
 */
const SIMPLE_COMPARISON =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: JSON strings may not hold raw control characters; those take the full parser
  /^[ \t\r\n]*([A-Za-z$][A-Za-z0-9_\-$:.]*)[ \t\r\n]+([A-Za-z]{2})[ \t\r\n]+"([^"\\\u0000-\u001f]*)"[ \t\r\n]*$/
const KEYWORDS = new Set(['and', 'or', 'not'])

function parseSimpleComparison(text: string): FilterNode | undefined {
  const match = SIMPLE_COMPARISON.exec(text)
  if (!match) return undefined
  const [, attr, opText, value] = match as unknown as [string, string, string, string]
  // A raw lone surrogate (a search body's JSON can hold one) is what the tokenizer refuses.
  if (!isStorableText(value)) return undefined
  const op = opText.toLowerCase()
  if (!COMPARE_OPS.has(op) || KEYWORDS.has(attr.toLowerCase())) return undefined
  const path = parseAttrPath(attr)
  return path && { kind: 'compare', path, op: op as CompareOp, value }
}

function checkLength(text: string, limits: FilterLimits): void {
  if (text.length > limits.maxLength) {
    throw ScimError.invalidFilter(`filter is longer than ${limits.maxLength} characters`)
  }
}

/**
 * Parses a SCIM filter into an AST. Throws ScimError `invalidFilter` with the position of the
 * problem. Keywords and operators are case-insensitive; `and` binds tighter than `or`.
 * @example parseFilter('userName eq "bjensen" and not (active eq false)')
 */
export function parseFilter(text: string, limits: FilterLimits = DEFAULT_FILTER_LIMITS): FilterNode {
  checkLength(text, limits)
  if (text.trim() === '') throw ScimError.invalidFilter('filter is empty')
  return (
    (limits.maxNodes >= 1 ? parseSimpleComparison(text) : undefined) ?? new Parser(tokenize(text), limits).parseAll()
  )
}

/** Parses the inside of a value filter (`members[value eq "x"]`): no nested brackets. */
export function parseValueFilter(text: string, limits: FilterLimits = DEFAULT_FILTER_LIMITS): FilterNode {
  checkLength(text, limits)
  if (text.trim() === '') throw ScimError.invalidFilter('value filter is empty')
  return new Parser(tokenize(text), limits).parseAll(true)
}
