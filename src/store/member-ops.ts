// Applies PATCH member deltas to group_members row by row, never rewriting the group document.
import type { Database } from 'bun:sqlite'
import type { MemberOp } from '../scim/patch/members'
import { matchesElement } from '../scim/filter/evaluate'
import type { StoredResource } from '../service/context'
import { memberDisplaySql } from './columns'
import { checkNewMembers, type MemberChange, Net } from './member-net'

export type { MemberChange } from './member-net'

type MemberRow = { value: string; type: string; display: string | null }

/**
 * Runs `ops` in order against the membership of `group` and returns the members that changed.
 * Added members must exist: a reference to an unknown id is rejected (400 invalidValue) rather
 * than stored dangling. Re-adding an existing member or removing an absent one changes nothing
 * (Entra retries both), so it is not reported: RFC 7644 §3.5.2.1 keeps the version then.
 * Member filters (`members[display eq "…"]`) are tested against one read of the members, kept
 * current by the ops between them: one read per filter cost 3 ms each on a 3,000-member group.
 */
export function applyMemberOps(
  db: Database,
  group: StoredResource,
  ops: readonly MemberOp[],
  existing: (ids: readonly string[]) => Map<string, string>
): MemberChange[] {
  const insert = db.query('INSERT OR IGNORE INTO group_members (group_id, member_id, member_type) VALUES (?, ?, ?)')
  const removeMany = db.query<{ id: string; type: string }, [string, string]>(
    'DELETE FROM group_members WHERE group_id = ? AND member_id IN (SELECT value FROM json_each(?)) RETURNING member_id AS id, member_type AS type'
  )
  const net = new Net()
  // The members as filters see them, once a filter needs them.
  let view: Map<string, MemberRow> | undefined
  const removed = (rows: { id: string; type: string }[]) => {
    net.removed(rows)
    for (const r of rows) view?.delete(r.id)
  }
  for (const op of ops) {
    switch (op.kind) {
      case 'add': {
        const ids = [...new Set(op.members.map((m) => m.value))]
        const found = existing(ids)
        checkNewMembers(ids, found, group.id)
        const fresh: string[] = []
        for (const id of ids) {
          const type = found.get(id)!
          const added = insert.run(group.id, id, type).changes === 1
          if (added) fresh.push(id)
          net.touch(id, type, !added, true)
        }
        if (view && fresh.length > 0) for (const row of displaysOf(db, fresh)) view.set(row.value, row)
        break
      }
      case 'remove':
        removed(removeMany.all(group.id, JSON.stringify(op.values)))
        break
      case 'clear':
        removed(
          db
            .query<{ id: string; type: string }, [string]>(
              'DELETE FROM group_members WHERE group_id = ? RETURNING member_id AS id, member_type AS type'
            )
            .all(group.id)
        )
        break
      case 'removeWhere': {
        // Filters other than `value eq`: evaluated in memory over this group's members only.
        view ??= new Map(membersOf(db, group.id).map((r) => [r.value, r]))
        op.budget.spend(view.size)
        const doomed: string[] = []
        for (const r of view.values()) if (matchesElement(op.filter, r)) doomed.push(r.value)
        if (doomed.length > 0) removed(removeMany.all(group.id, JSON.stringify(doomed)))
        break
      }
      default:
        throw new Error(`unknown member op ${JSON.stringify(op satisfies never)}`)
    }
  }
  return net.changes()
}

/** The members of a group as a member filter reads them: id, type and display. */
function membersOf(db: Database, groupId: string): MemberRow[] {
  // `+?`: a join's bare parameter makes SQLite prepare it again each time (hot-statements.ts).
  return db
    .query<MemberRow, [string]>(
      `SELECT m.member_id AS value, m.member_type AS type, ${memberDisplaySql('r')} AS display
       FROM group_members m JOIN resources r ON r.id = m.member_id WHERE m.group_id = +?`
    )
    .all(groupId)
}

/** The same rows for members just added, read from their resources. */
function displaysOf(db: Database, ids: readonly string[]): MemberRow[] {
  return db
    .query<MemberRow, [string]>(
      `SELECT r.id AS value, r.type AS type, ${memberDisplaySql('r')} AS display
       FROM resources r WHERE r.id IN (SELECT value FROM json_each(?))`
    )
    .all(JSON.stringify(ids))
}
