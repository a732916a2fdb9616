// Rows whose served form shows another row get a new version when it changes: src/store/dependents.ts in PostgreSQL.
import type { SQL } from 'bun'
import { URN_ENTERPRISE_USER } from '../scim/constants'
import type { Bumped } from '../store/dependents'
import { MANAGER_ID } from './tables'

const BUMP = 'version = version + 1, last_modified = $2'
const KEYS =
  'RETURNING resources.seq, resources.id, resources.version, resources.type, resources.name_ci AS "nameKey", resources.external_id AS "externalId"'

/**
 * The bumped rows in insertion order, as SQLite returns an UPDATE's rows (rowid order): the order
 * of a delete's cascades, and so of their journal entries, is then the same in both stores.
 */
const inOrder = (update: string, more = '') =>
  `WITH bumped AS (${update}) SELECT id, version, type, "nameKey", "externalId"${more} FROM bumped ORDER BY seq`
/** The enterprise extension's key, as a literal: it is a constant, and the manager index spells it so. */
const EXT = `'${URN_ENTERPRISE_USER}'`

// Both sides of group_members: the groups listing the row as a member, the users listing it (a
// group) in their `groups`; the two never overlap.
const SHOWING = inOrder(`UPDATE resources SET ${BUMP} WHERE id IN (
    SELECT group_id FROM group_members WHERE member_id = $1
    UNION ALL SELECT member_id FROM group_members WHERE group_id = $1 AND member_type = 'User') ${KEYS}`)
const USERS = inOrder(
  `UPDATE resources SET ${BUMP} WHERE id IN (SELECT jsonb_array_elements_text($1::text::jsonb)) ${KEYS}`
)
// One statement: the reports' managers as they were (read under the rows' locks) and the update
// that drops them. The extension object goes when manager was all it held, so no empty one is served.
const REPORTS = inOrder(
  `UPDATE resources SET ${BUMP}, data = CASE
    WHEN (SELECT count(*) FROM jsonb_object_keys(resources.data -> ${EXT})) = 1 THEN resources.data - ${EXT}
    ELSE resources.data #- ARRAY[${EXT}, 'manager'] END
  FROM (SELECT id, data -> ${EXT} -> 'manager' AS manager FROM resources
    WHERE type = 'User' AND ${MANAGER_ID} = $1 FOR UPDATE) had
  WHERE resources.id = had.id ${KEYS}, had.manager`,
  ', manager'
)

/**
 * The same three causes as the SQLite store's Dependents (see there why a version moves when
 * another row changes), each one UPDATE with the affected ids chosen in SQL. The rows come back
 * with their new version and lookup keys.
 */
export const pgDependents = {
  /** `id` is deleted or its display name changed: the resources that show it as a reference. */
  async showingOf(tx: SQL, id: string, at: string): Promise<Bumped[]> {
    return (await tx.unsafe(SHOWING, [id, at])) as Bumped[]
  },

  /** Users whose `groups` gained or lost a group. */
  async usersOf(tx: SQL, ids: readonly string[], at: string): Promise<Bumped[]> {
    return ids.length === 0 ? [] : ((await tx.unsafe(USERS, [JSON.stringify(ids), at])) as Bumped[])
  },

  /** A deleted user's reports lose their manager; with the manager each had. */
  async reportsOf(tx: SQL, managerId: string, at: string): Promise<(Bumped & { manager: unknown })[]> {
    return (await tx.unsafe(REPORTS, [managerId, at])) as (Bumped & { manager: unknown })[]
  },
}
