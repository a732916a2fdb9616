// The fixed text an entry's hash covers: canonical JSON (sorted keys, no whitespace), and the chain hash.
import type { JournalChange, JournalDraft, JournalEntry } from './types'

/**
 * Canonical JSON: object keys sorted by UTF-16 code units (JavaScript's default sort), members
 * whose value is undefined left out, no whitespace, arrays in their own order, strings and
 * numbers as JSON.stringify writes them. The same value always gives the same text.
 */
export function canonical(value: unknown): string {
  if (typeof value !== 'object' || value === null) return JSON.stringify(value) ?? 'null'
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonical(v))).join(',')}]`
  const obj = value as Record<string, unknown>
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort()
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(obj[k])}`).join(',')}}`
}

/** canonical(changes) without sorting each change's keys: they are always after, before, path. */
function canonicalChanges(changes: readonly JournalChange[]): string {
  let out = '['
  for (const c of changes) {
    if (out.length > 1) out += ','
    out += '{'
    if (c.after !== undefined) out += `"after":${canonical(c.after)},`
    if (c.before !== undefined) out += `"before":${canonical(c.before)},`
    out += `"path":${JSON.stringify(c.path)}}`
  }
  return `${out}]`
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
