// Which members a run of PATCH member ops changed, for either store: the net of each member's before and after.

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

  changes(): MemberChange[] {
    const out: MemberChange[] = []
    for (const m of this.is.values())
      if (this.was.get(m.id) !== m.member) out.push({ id: m.id, type: m.type, added: m.member })
    return out
  }
}
