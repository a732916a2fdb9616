// Rows whose served form shows another row get a new version when it changes: set-based, in the writer's transaction.
import type { Database, Statement } from 'bun:sqlite'
import type { RowKeys } from './staleness'

/** `version` and `last_modified` of the matched rows move on; their lookup keys come back for the caches. */
const BUMP = 'version = version + 1, last_modified = ?2'
const KEYS = 'RETURNING type, name_ci AS nameKey, external_id AS externalId'

/**
 * A resource's version is its ETag and meta.version (RFC 7644 §3.14), so it must move whenever the
 * resource as served changes, also when the change is in another row: a group serves its members'
 * display names, a user serves its groups' names (`groups`, RFC 7643 §4.1.2). One UPDATE per
 * cause, with the affected ids chosen in SQL, keeps a rename of a large group one statement; the
 * rows it returns are what the caches must forget.
 */
export class Dependents {
  private readonly showing: Statement<RowKeys, [string, string]>
  private readonly users: Statement<RowKeys, [string, string]>

  constructor(sqlite: Database) {
    // Both sides of group_members, each through its own index: the groups listing the row as a
    // member, and the users listing it (a group) in their `groups`.
    this.showing = sqlite.query(`UPDATE resources SET ${BUMP} WHERE id IN (
        SELECT group_id FROM group_members WHERE member_id = ?1
        UNION SELECT member_id FROM group_members WHERE group_id = ?1 AND member_type = 'User') ${KEYS}`)
    this.users = sqlite.query(`UPDATE resources SET ${BUMP} WHERE id IN (SELECT value FROM json_each(?1)) ${KEYS}`)
  }

  /** `id` is deleted or its display name changed: the resources that show it as a reference. */
  showingOf(id: string, at: string): RowKeys[] {
    return this.showing.all(id, at)
  }

  /** Users whose `groups` gained or lost a group. */
  usersOf(ids: readonly string[], at: string): RowKeys[] {
    return ids.length === 0 ? [] : this.users.all(JSON.stringify(ids), at)
  }
}
