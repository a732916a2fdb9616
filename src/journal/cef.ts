// ArcSight Common Event Format lines for a SIEM: one per journal entry.
import type { JournalEntry } from './types'

/** Header fields escape backslash and pipe; extension values backslash, equals and line breaks (CEF rev. 25). */
function header(text: string): string {
  return text.replace(/[\\|]/g, (c) => `\\${c}`).replace(/[\r\n]+/g, ' ')
}

function value(text: string): string {
  return text
    .replace(/[\\=]/g, (c) => `\\${c}`)
    .replace(/\r/g, '\\r')
    .replace(/\n/g, '\\n')
}

/** A delete takes access away; everything else is routine. */
const SEVERITY: Record<JournalEntry['op'], number> = { create: 3, replace: 3, patch: 3, delete: 6 }

/**
 * `CEF:0|scim-server|scim-server|VERSION|op|Type op|severity|extension`. The extension carries
 * the time (rt, epoch ms), actor (suser), tenant, resource, request id, versions, seq and hash,
 * and the changed paths (values stay out: a SIEM line names what changed; jsonl holds the values).
 */
export function cefLine(e: JournalEntry, version: string): string {
  const ext: [string, string | number | null][] = [
    ['rt', Date.parse(e.at)],
    ['suser', e.actor],
    ['cs1Label', 'tenant'],
    ['cs1', e.tenant],
    ['cs2Label', 'resourceId'],
    ['cs2', e.resourceId],
    ['cs3Label', 'requestId'],
    ['cs3', e.requestId],
    ['cs4Label', 'paths'],
    ['cs4', e.changes.map((c) => c.path).join(' ')],
    ['cs5Label', 'hash'],
    ['cs5', e.hash],
    ['cs6Label', 'compat'],
    ['cs6', e.compat.join(' ')],
    ['cn1Label', 'versionBefore'],
    ['cn1', e.versionBefore],
    ['cn2Label', 'versionAfter'],
    ['cn2', e.versionAfter],
    ['cn3Label', 'seq'],
    ['cn3', e.seq],
    ['cat', e.cascade ? 'cascade' : 'change'],
  ]
  const fields = ext
    .filter(([, v]) => v !== null && v !== '')
    .map(([k, v]) => `${k}=${value(String(v))}`)
    .join(' ')
  const name = `${e.resourceType} ${e.op}${e.cascade ? ' (cascade)' : ''}`
  return `CEF:0|scim-server|scim-server|${header(version)}|${e.op}|${header(name)}|${SEVERITY[e.op]}|${fields}`
}
