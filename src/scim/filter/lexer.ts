// RFC 7644 §3.4.2.2 filter tokens: a hand-written scanner that keeps positions for error messages.
import { ScimError } from '../errors'
import { isStorableText } from '../storable'

export type TokenKind = 'word' | 'string' | 'lparen' | 'rparen' | 'lbracket' | 'rbracket' | 'subAttr' | 'end'

export interface Token {
  kind: TokenKind
  /** Raw text for words; the decoded value for strings; the name (without dot) for subAttr. */
  text: string
  /** 1-based character position in the filter, for `invalidFilter` details. */
  pos: number
}

/** Characters of an attribute path, keyword or bare value: ATTRNAME, URN parts, dots, `$ref`. */
const WORD_CHAR = /[A-Za-z0-9_\-$:.+@]/

function readString(src: string, start: number): { value: string; end: number } {
  let i = start + 1
  while (i < src.length) {
    const c = src[i]
    if (c === '\\') i += 2
    else if (c === '"') break
    else i++
  }
  if (i >= src.length) throw ScimError.invalidFilter(`unterminated string starting at position ${start + 1}`)
  let value: string
  try {
    value = JSON.parse(src.slice(start, i + 1)) as string
  } catch {
    throw ScimError.invalidFilter(`invalid escape in string starting at position ${start + 1}`)
  }
  // No stored value holds such text (writes refuse it), and PostgreSQL cannot even compare with it.
  if (!isStorableText(value))
    throw ScimError.invalidFilter(
      `the string starting at position ${start + 1} is not well-formed Unicode text without NUL`
    )
  return { value, end: i + 1 }
}

/** Splits a filter into tokens; throws `invalidFilter` naming the position of the first bad character. */
export function tokenize(src: string): Token[] {
  const tokens: Token[] = []
  let i = 0
  while (i < src.length) {
    const c = src[i]!
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++
      continue
    }
    const pos = i + 1
    if (c === '"') {
      const { value, end } = readString(src, i)
      tokens.push({ kind: 'string', text: value, pos })
      i = end
    } else if (c === '(' || c === ')' || c === '[' || c === ']') {
      const kind = ({ '(': 'lparen', ')': 'rparen', '[': 'lbracket', ']': 'rbracket' } as const)[c]
      tokens.push({ kind, text: c, pos })
      i++
    } else if (c === '.' && tokens.at(-1)?.kind === 'rbracket') {
      // `emails[type eq "work"].value`: the sub-attribute that follows a value filter.
      let j = i + 1
      while (j < src.length && /[A-Za-z0-9_\-$]/.test(src[j]!)) j++
      if (j === i + 1) throw ScimError.invalidFilter(`expected a sub-attribute name at position ${pos + 1}`)
      tokens.push({ kind: 'subAttr', text: src.slice(i + 1, j), pos })
      i = j
    } else if (WORD_CHAR.test(c)) {
      let j = i
      while (j < src.length && WORD_CHAR.test(src[j]!)) j++
      tokens.push({ kind: 'word', text: src.slice(i, j), pos })
      i = j
    } else {
      throw ScimError.invalidFilter(`unexpected character '${c}' at position ${pos}`)
    }
  }
  tokens.push({ kind: 'end', text: '', pos: src.length + 1 })
  return tokens
}
