// The fixed text an entry's hash covers: canonical JSON (sorted keys, no whitespace), and the chain hash.
import { sortedKeys } from './keys'
import type { JournalChange, JournalDraft, JournalEntry } from './types'

/** ordered() found an object JSON.stringify would not write in the order of its sorted keys. */
const UNORDERED = Symbol('unordered')

/**
 * A copy of `value` whose objects hold their keys in sorted order (members whose value is
 * undefined left out, functions and symbols as null, as canonical() writes them), so that
 * JSON.stringify, which writes keys in insertion order, writes the canonical text in one native
 * pass. UNORDERED when an object has a key JavaScript orders by itself: an array index ("0",
 * "12") always comes first, by number, and "__proto__" would set the copy's prototype.
 */
function ordered(value: unknown): unknown {
  if (typeof value !== 'object' || value === null)
    return typeof value === 'function' || typeof value === 'symbol' ? null : value
  if (Array.isArray(value)) {
    const out: unknown[] = new Array(value.length)
    for (let i = 0; i < value.length; i++) {
      const v = ordered(value[i])
      if (v === UNORDERED) return UNORDERED
      out[i] = v
    }
    return out
  }
  const obj = value as Record<string, unknown>
  const keys = sortedKeys(obj)
  const out: Record<string, unknown> = {}
  for (const k of keys) {
    const first = k.charCodeAt(0)
    if ((first >= 48 && first <= 57) || k === '__proto__') return UNORDERED
    const v = obj[k]
    if (v === undefined) continue
    const o = ordered(v)
    if (o === UNORDERED) return UNORDERED
    out[k] = o
  }
  return out
}

/**
 * Canonical JSON written member by member: the definition, and the text of values ordered()
 * cannot copy.
 */
function written(value: unknown): string {
  if (typeof value !== 'object' || value === null) return JSON.stringify(value) ?? 'null'
  let out: string
  if (Array.isArray(value)) {
    out = '['
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ','
      const v = value[i]
      out += v === undefined ? 'null' : written(v)
    }
    return `${out}]`
  }
  const obj = value as Record<string, unknown>
  out = '{'
  for (const k of sortedKeys(obj)) {
    const v = obj[k]
    if (v === undefined) continue
    if (out.length > 1) out += ','
    out += `${JSON.stringify(k)}:${written(v)}`
  }
  return `${out}}`
}

/**
 * Canonical JSON: object keys sorted by UTF-16 code units (JavaScript's default sort), members
 * whose value is undefined left out, no whitespace, arrays in their own order, strings and
 * numbers as JSON.stringify writes them. The same value always gives the same text. Every
 * entry of every write comes through here (a create's changes hold the whole document), so the
 * text is one JSON.stringify of a key-ordered copy, which costs less than writing it member by
 * member (written, kept for the values ordered() refuses).
 */
export function canonical(value: unknown): string {
  const copy = ordered(value)
  return copy === UNORDERED ? written(value) : (JSON.stringify(copy) ?? 'null')
}

/** canonical(changes) without sorting each change's keys: they are always after, before, path. */
function canonicalChanges(changes: readonly JournalChange[]): string {
  const out: unknown[] = new Array(changes.length)
  for (let i = 0; i < changes.length; i++) {
    const c = changes[i]!
    const after = ordered(c.after)
    const before = ordered(c.before)
    if (after === UNORDERED || before === UNORDERED) return written(changes)
    // Undefined members are left out by JSON.stringify, as canonical() leaves them out.
    out[i] = { after, before, path: c.path }
  }
  return JSON.stringify(out)
}

/** An entry as stored: every field of JournalEntry, with `changes` and `compat` as canonical JSON text. */
export interface EntryColumns {
  seq: number
  tenant: string
  at: string
  actor: string | null
  requestId: string | null
  op: string
  resourceType: string
  resourceId: string
  versionBefore: number | null
  versionAfter: number | null
  changes: string
  compat: string
  cascade: number
  prevHash: string
}

const j = JSON.stringify

/**
 * canonical(entry without hash), written straight from the stored columns: the keys in sorted
 * order and the stored canonical `changes` and `compat` spliced in, so verifying a million
 * entries parses no JSON. Equal to `canonical(entry)` (tests/journal/canonical.test.ts).
 */
export function entryText(c: EntryColumns): string {
  return (
    `{"actor":${j(c.actor)},"at":${j(c.at)},"cascade":${c.cascade ? 'true' : 'false'},"changes":${c.changes}` +
    `,"compat":${c.compat},"op":${j(c.op)},"prevHash":${j(c.prevHash)},"requestId":${j(c.requestId)}` +
    `,"resourceId":${j(c.resourceId)},"resourceType":${j(c.resourceType)},"seq":${c.seq},"tenant":${j(c.tenant)}` +
    `,"versionAfter":${j(c.versionAfter)},"versionBefore":${j(c.versionBefore)}}`
  )
}

/** The journal row's values in column order (seq … prev_hash, hash), as both stores' INSERT binds them. */
export function entryValues(c: EntryColumns, hash: string) {
  return [
    c.seq,
    c.tenant,
    c.at,
    c.actor,
    c.requestId,
    c.op,
    c.resourceType,
    c.resourceId,
    c.versionBefore,
    c.versionAfter,
    c.changes,
    c.compat,
    c.cascade,
    c.prevHash,
    hash,
  ] as const
}

/** hash = hex SHA-256 over the UTF-8 of prevHash (hex, '' for a tenant's first entry) followed by the entry's canonical text. */
export function chainHash(prevHash: string, text: string): string {
  return Bun.SHA256.hash(prevHash + text, 'hex')
}

/** The stored columns of an entry: `draft` at `seq` in `tenant`'s chain after `prevHash`. */
export function columnsOf(e: JournalDraft, seq: number, tenant: string, prevHash: string): EntryColumns {
  return {
    seq,
    tenant,
    at: e.at,
    actor: e.actor,
    requestId: e.requestId,
    op: e.op,
    resourceType: e.resourceType,
    resourceId: e.resourceId,
    versionBefore: e.versionBefore,
    versionAfter: e.versionAfter,
    changes: canonicalChanges(e.changes),
    compat: canonical(e.compat),
    cascade: e.cascade ? 1 : 0,
    prevHash,
  }
}

/** The entry a stored row holds. */
export function entryOf(c: EntryColumns & { hash: string }): JournalEntry {
  return {
    seq: c.seq,
    tenant: c.tenant,
    at: c.at,
    actor: c.actor,
    requestId: c.requestId,
    op: c.op as JournalEntry['op'],
    resourceType: c.resourceType,
    resourceId: c.resourceId,
    versionBefore: c.versionBefore,
    versionAfter: c.versionAfter,
    changes: JSON.parse(c.changes),
    compat: JSON.parse(c.compat),
    cascade: c.cascade === 1,
    prevHash: c.prevHash,
    hash: c.hash,
  }
}
