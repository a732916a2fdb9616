// Applies PATCH member deltas to group_members row by row, never rewriting the group document.
import type { Database } from 'bun:sqlite'
import type { MemberOp } from '../scim/patch/members'
import { matchesElement } from '../scim/filter/evaluate'
import type { StoredResource } from '../service/context'
import { memberDisplaySql } from './columns'
import { checkNewMembers, type MemberChange, Net } from './member-net'

export type { MemberChange } from './member-net'

/**
 * Runs `ops` in order against the membership of `group` and returns the members that changed.
 * Added members must exist: a reference to an unknown id is rejected (400 invalidValue) rather
 * than stored dangling. Re-adding an existing member or removing an absent one changes nothing
 * (Entra retries both), so it is not reported: RFC 7644 §3.5.2.1 keeps the version then.
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
  const removed = (rows: { id: string; type: string }[]) => net.removed(rows)
  for (const op of ops) {
    switch (op.kind) {
      case 'add': {
        const ids = [...new Set(op.members.map((m) => m.value))]
        const found = existing(ids)
        checkNewMembers(ids, found, group.id)
        for (const id of ids) {
          const type = found.get(id)!
          const added = insert.run(group.id, id, type).changes === 1
          net.touch(id, type, !added, true)
        }
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
        // Rare (filters other than `value eq`): evaluate in memory over this group's rows only.
        // `+?`: a join's bare parameter makes SQLite prepare it again each time (hot-statements.ts).
        const rows = db
          .query<{ value: string; type: string; display: string | null }, [string]>(
            `SELECT m.member_id AS value, m.member_type AS type,
               ${memberDisplaySql('r')} AS display
             FROM group_members m JOIN resources r ON r.id = m.member_id WHERE m.group_id = +?`
          )
          .all(group.id)
        const doomed = rows.filter((r) => matchesElement(op.filter, r)).map((r) => r.value)
        if (doomed.length > 0) removed(removeMany.all(group.id, JSON.stringify(doomed)))
        break
      }
      default:
        throw new Error(`unknown member op ${JSON.stringify(op satisfies never)}`)
    }
  }
  return net.changes()
}
