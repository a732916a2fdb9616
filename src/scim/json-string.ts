// A string as JSON text (RFC 8259 §7), the same as JSON.stringify writes it, for text built by hand.

/** Characters JSON cannot hold as they are, and lone surrogates (well-formed JSON.stringify). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what must be escaped
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/

/**
 * JSON.stringify(text), without its walk when nothing needs escaping: the usual case for ids,
 * timestamps, paths and bases in the hot responses and the request log.
 */
export function jsonString(text: string): string {
  return NEEDS_ESCAPE.test(text) ? JSON.stringify(text) : `"${text}"`
}
