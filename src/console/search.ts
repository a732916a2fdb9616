// The console's search box: a SCIM filter as typed, or plain text turned into a prefix filter.

export interface Search {
  /** The SCIM filter the list runs, or undefined to list everything. */
  filter?: string
  /** How the text was read, shown beside the results so the admin knows what ran. */
  mode: 'all' | 'filter' | 'text'
}

/**
 * Text that starts like a filter (RFC 7644 §3.4.2.2): an attribute path and an operator, or a
 * `(` or `not (` group. Anything else is plain text: a name typed into a search box.
 */
const FILTER_START =
  /^\s*(?:\(|not\s*\(|[A-Za-z][\w$-]*(?::[\w.:$-]+)?(?:\[[^\]]*\])?(?:\.[A-Za-z][\w$-]*)?\s+(?:eq|ne|co|sw|ew|gt|lt|ge|le|pr)\b)/i

/** The attribute plain text is matched against: the one each type is looked up by, which is indexed. */
const TEXT_ATTRIBUTE: Record<string, string> = { User: 'userName', Group: 'displayName' }

/** A JSON string literal is also a SCIM filter's compValue string (RFC 7644 §3.4.2.2). */
function quote(text: string): string {
  return JSON.stringify(text)
}

/** Plain text `ada` on users becomes `userName sw "ada"`; a filter is run exactly as typed. */
export function readSearch(text: string | undefined, typeName: string): Search {
  const q = (text ?? '').trim()
  if (q === '') return { mode: 'all' }
  if (FILTER_START.test(q)) return { filter: q, mode: 'filter' }
  return { filter: `${TEXT_ATTRIBUTE[typeName] ?? 'displayName'} sw ${quote(q)}`, mode: 'text' }
}
