// Which members a run of PATCH member ops changed, for either store: the net of each member's before and after.
import { ScimError, UnknownReferenceError, quoted } from '../scim/errors'

/** What a group may hold (RFC 7643 §4.2): users and groups. */
export const MEMBER_TYPES = new Set(['User', 'Group'])

/** A resource that is now a member where it was not (`added`), or the other way round. */
export interface MemberChange {
  id: string
  type: string
  added: boolean
}

/**
 * Before and after of each member an op touched, so that a change undone later in the same
 * request (clear, then re-add as PUT does) counts as no change.
 */
export class Net {
  private readonly was = new Map<string, boolean>()
  private readonly is = new Map<string, { id: string; type: string; member: boolean }>()

  touch(id: string, type: string, was: boolean, is: boolean): void {
    if (!this.was.has(id)) this.was.set(id, was)
    this.is.set(id, { id, type, member: is })
  }

  /**
   * The members a DELETE … RETURNING took, touched in id order: the order rows come back in is the
   * database's own (SQLite's plan, PostgreSQL's heap), so each store would report them differently.
   */
  removed(rows: readonly { id: string; type: string }[]): void {
    const sorted = [...rows].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    for (const r of sorted) this.touch(r.id, r.type, true, false)
  }

  changes(): MemberChange[] {
    const out: MemberChange[] = []
    for (const m of this.is.values())
      if (this.was.get(m.id) !== m.member) out.push({ id: m.id, type: m.type, added: m.member })
    return out
  }
}

/**
 * The ids `ops` add, checked against what exists (`found`: id → type): every one must exist in
 * the tenant (400 otherwise, never a dangling member), be a User or Group, and not be the group.
 */
export function checkNewMembers(ids: readonly string[], found: ReadonlyMap<string, string>, groupId: string): void {
  const missing = ids.filter((id) => !found.has(id))
  if (missing.length > 0) {
    throw new UnknownReferenceError(
      `members reference unknown resources: ${missing.slice(0, 5).map(quoted).join(', ')}${missing.length > 5 ? ', …' : ''}`
    )
  }
  for (const id of ids) {
    const type = found.get(id)!
    if (!MEMBER_TYPES.has(type)) throw ScimError.invalidValue(`member ${id} is a ${type}, not a User or Group`)
    if (id === groupId) throw ScimError.invalidValue('a group cannot be a member of itself')
  }
}
