// Documents parsed from stored JSON remember that text, so an unchanged one is not serialised again.
import type { Doc } from './document'

/** Keyed by the parsed object itself, so a changed copy (`{ ...row, data: next }`) has no text. */
const texts = new WeakMap<Doc, string>()

/**
 * Parses a stored JSON object and remembers its text. Documents are never changed in place
 * (PATCH works on a clone, PUT builds a new one), so the text stays the document's.
 */
export function parseDocument(text: string): Doc {
  const doc = JSON.parse(text) as Doc
  texts.set(doc, text)
  return doc
}

/** The JSON text `doc` was parsed from, when it came from parseDocument. */
export function documentText(doc: Doc): string | undefined {
  return texts.get(doc)
}
