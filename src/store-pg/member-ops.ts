// Applies PATCH member deltas to group_members row by row in PostgreSQL: src/store/member-ops.ts over a transaction.
import type { SQL } from 'bun'
import { matchesElement } from '../scim/filter/evaluate'
import type { MemberOp } from '../scim/patch/members'
import type { StoredResource } from '../service/context'
import { checkNewMembers, type MemberChange, Net } from '../store/member-net'
import { canNameRow, displayPgSql } from './reads'

// Rows go in the order the ids were given, so `seq` keeps the order members joined in.
const ADD = `INSERT INTO group_members (group_id, member_id, member_type)
  SELECT $1, x.e ->> 0, x.e ->> 1 FROM jsonb_array_elements($2::text::jsonb) WITH ORDINALITY AS x(e, n) ORDER BY x.n
  ON CONFLICT DO NOTHING RETURNING member_id AS id`
const REMOVE = `DELETE FROM group_members WHERE group_id = $1 AND member_id IN (SELECT jsonb_array_elements_text($2::text::jsonb))
  RETURNING member_id AS id, member_type AS type`
const CLEAR = 'DELETE FROM group_members WHERE group_id = $1 RETURNING member_id AS id, member_type AS type'
const ROWS = `SELECT m.member_id AS value, m.member_type AS type, ${displayPgSql('r')} AS display
  FROM group_members m JOIN resources r ON r.id = m.member_id WHERE m.group_id = $1`
// The same rows for members just added, read from their resources.
const ADDED_ROWS = `SELECT r.id AS value, r.type AS type, ${displayPgSql('r')} AS display
  FROM resources r WHERE r.id IN (SELECT jsonb_array_elements_text($1::text::jsonb))`

type MemberRow = { value: string; type: string; display: string | null }

/**
 * Runs `ops` in order against the membership of `group` and returns the members that changed,
 * with the rules of the SQLite store: added members must exist in the tenant (else 400), be a
 * User or Group and not the group itself; re-adding a member or removing an absent one is no change.
 * Member filters are tested against one read of the members, kept current by the ops between them.
 */
export async function applyPgMemberOps(
  tx: SQL,
  group: StoredResource,
  ops: readonly MemberOp[],
  existing: (ids: readonly string[]) => Promise<Map<string, string>>
): Promise<MemberChange[]> {
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
        const found = await existing(ids)
        checkNewMembers(ids, found, group.id)
        const rows = (await tx.unsafe(ADD, [group.id, JSON.stringify(ids.map((id) => [id, found.get(id)]))])) as {
          id: string
        }[]
        const added = new Set(rows.map((r) => r.id))
        for (const id of ids) net.touch(id, found.get(id)!, !added.has(id), true)
        if (view && added.size > 0) {
          const fresh = (await tx.unsafe(ADDED_ROWS, [JSON.stringify([...added])])) as MemberRow[]
          for (const row of fresh) view.set(row.value, row)
        }
        break
      }
      case 'remove': {
        // A value no stored id can be removes nothing, and PostgreSQL would refuse to bind it.
        const values = op.values.filter(canNameRow)
        if (values.length > 0) removed(await tx.unsafe(REMOVE, [group.id, JSON.stringify(values)]))
        break
      }
      case 'clear':
        removed(await tx.unsafe(CLEAR, [group.id]))
        break
      case 'removeWhere': {
        // Filters other than `value eq`: evaluated in memory over this group's members only.
        view ??= new Map(((await tx.unsafe(ROWS, [group.id])) as MemberRow[]).map((r) => [r.value, r]))
        op.budget.spend(view.size)
        const doomed: string[] = []
        for (const r of view.values()) if (matchesElement(op.filter, r)) doomed.push(r.value)
        if (doomed.length > 0) removed(await tx.unsafe(REMOVE, [group.id, JSON.stringify(doomed)]))
        break
      }
      default:
        throw new Error(`unknown member op ${JSON.stringify(op satisfies never)}`)
    }
  }
  return net.changes()
}
