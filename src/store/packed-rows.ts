// Rows packed into one string for the lookup cache: one heap cell per entry instead of a dozen.
import type { RawRows, ReadRow } from './hot-statements'

/**
 * Why one string: a cache entry made in one young-generation cycle and still cached at its end is
 * marked cell by cell, and entries kept as row objects with their strings doubled JSC's eden
 * pauses at 1M users (p50 2.9 → 1.4 ms once packed, measured in-process with BUN_JSC_logGC);
 * those pauses are what p99 latency is made of. Fields are joined by NUL, which ids, timestamps
 * and stored JSON (it escapes control characters) never hold; a row that does is not cached.
 */
const SEP = '\u0000'
const FIELDS = 7

export function packRows(raw: RawRows): string | undefined {
  const parts: string[] = []
  for (const r of raw) {
    const groups = r.groups ?? ''
    if (
      r.id.includes(SEP) ||
      r.data.includes(SEP) ||
      r.created.includes(SEP) ||
      r.lastModified.includes(SEP) ||
      groups.includes(SEP)
    )
      return undefined
    parts.push(String(r.rowid), r.id, r.data, String(r.version), r.created, r.lastModified, groups)
  }
  return parts.join(SEP)
}

export function unpackRows(packed: string): RawRows {
  const f = packed.split(SEP)
  const rows: ReadRow[] = []
  for (let i = 0; i + FIELDS <= f.length; i += FIELDS) {
    const groups = f[i + 6]!
    rows.push({
      rowid: Number(f[i]),
      id: f[i + 1]!,
      data: f[i + 2]!,
      version: Number(f[i + 3]),
      created: f[i + 4]!,
      lastModified: f[i + 5]!,
      groups: groups === '' ? null : groups,
    })
  }
  return rows
}
