// What each resource was at a point in time, read back from the entries after it.
import { memberOfPath } from './diff'
import type { JournalEntry } from './types'

/** One resource as the journal's entries after T tell it. */
export interface ResourceHistory {
  type: string
  id: string
  /**
   * False when its first entry after T is its create: it did not exist at T, so only what other
   * changes did to it (cascades: a deleted manager, a deleted member) is to be put back.
   */
  existed: boolean
  /** True when its last entry is its delete. */
  deleted: boolean
  /** The version it had just before its delete. */
  lastVersion: number | null
  /** Each document path changed after T, with its value at T (undefined: it had none). */
  paths: Map<string, unknown>
  /** Each member a group gained or lost after T: whether it was a member at T. */
  members: Map<string, { present: boolean; type: string }>
}

/**
 * Folds `entries` (seq order, all after T) into one history per resource: the first entry to
 * touch a path holds its value at T in `before`, whatever later entries did to it. For a
 * resource created after T only cascades count: their `before` is what it had before another
 * resource's delete took it away.
 */
export function historiesSince(entries: Iterable<JournalEntry>): Map<string, ResourceHistory> {
  const out = new Map<string, ResourceHistory>()
  for (const e of entries) {
    let h = out.get(e.resourceId)
    if (!h) {
      h = {
        type: e.resourceType,
        id: e.resourceId,
        existed: e.op !== 'create',
        deleted: false,
        lastVersion: null,
        paths: new Map(),
        members: new Map(),
      }
      out.set(e.resourceId, h)
    }
    h.deleted = e.op === 'delete'
    if (e.op === 'delete') h.lastVersion = e.versionBefore
    if (!h.existed && !e.cascade) continue
    for (const c of e.changes) {
      const member = memberOfPath(c.path)
      if (member !== undefined) {
        if (h.members.has(member)) continue
        const was = c.before as { type?: string } | undefined
        const is = c.after as { type?: string } | undefined
        h.members.set(member, { present: was !== undefined, type: was?.type ?? is?.type ?? 'User' })
      } else if (!h.paths.has(c.path)) h.paths.set(c.path, c.before)
    }
  }
  return out
}
