// Applies PATCH member deltas to group_members row by row, never rewriting the group document.
import type { Database } from 'bun:sqlite'
import { ScimError } from '../scim/errors'
import type { MemberOp } from '../scim/patch/members'
import { matchesElement } from '../scim/filter/evaluate'
import type { StoredResource, WriteTx } from '../service/context'
import { memberDisplaySql } from './columns'

const MEMBER_TYPES = new Set(['User', 'Group'])

/**
 * Runs `ops` in order against the membership of `group`. Added members must exist: a reference
 * to an unknown id is rejected (400 invalidValue) rather than stored dangling. Re-adding an
 * existing member is a no-op, because Entra retries adds it already made.
 */
export function applyMemberOps(db: Database, group: StoredResource, ops: readonly MemberOp[], tx: WriteTx): void {
  const insert = db.query('INSERT OR IGNORE INTO group_members (group_id, member_id, member_type) VALUES (?, ?, ?)')
  const removeMany = db.query('DELETE FROM group_members WHERE group_id = ? AND member_id IN (SELECT value FROM json_each(?))')
  for (const op of ops) {
    switch (op.kind) {
      case 'add': {
        const ids = [...new Set(op.members.map((m) => m.value))]
        const found = tx.existing(ids)
        const missing = ids.filter((id) => !found.has(id))
        if (missing.length > 0) {
          throw ScimError.invalidValue(`members reference unknown resources: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}`)
        }
        for (const id of ids) {
          const type = found.get(id)!
          if (!MEMBER_TYPES.has(type)) throw ScimError.invalidValue(`member ${id} is a ${type}, not a User or Group`)
          if (id === group.id) throw ScimError.invalidValue('a group cannot be a member of itself')
          insert.run(group.id, id, type)
        }
        break
      }
      case 'remove':
        removeMany.run(group.id, JSON.stringify(op.values))
        break
      case 'clear':
        db.query('DELETE FROM group_members WHERE group_id = ?').run(group.id)
        break
      case 'removeWhere': {
        // Rare (filters other than `value eq`): evaluate in memory over this group's rows only.
        const rows = db
          .query<{ value: string; type: string; display: string | null }, [string]>(
            `SELECT m.member_id AS value, m.member_type AS type,
               ${memberDisplaySql('r')} AS display
             FROM group_members m JOIN resources r ON r.id = m.member_id WHERE m.group_id = ?`
          )
          .all(group.id)
        const doomed = rows.filter((r) => matchesElement(op.filter, r)).map((r) => r.value)
        if (doomed.length > 0) removeMany.run(group.id, JSON.stringify(doomed))
        break
      }
      default:
        throw new Error(`unknown member op ${JSON.stringify(op satisfies never)}`)
    }
  }
}
