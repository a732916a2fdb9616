// Drizzle table definitions: resources as canonical JSON plus promoted columns, and memberships.
import { sql } from 'drizzle-orm'
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'
import { URN_ENTERPRISE_USER } from '../scim/constants'

/**
 * A user's manager id (enterprise extension), spelled once for the index below and for the
 * query that finds a deleted manager's reports (store/dependents.ts): SQLite uses an expression
 * index only for the very same expression. `->>` is json_extract without a comma, which
 * drizzle-kit would split the expression at.
 */
export const MANAGER_ID = `(data ->> '$."${URN_ENTERPRISE_USER}".manager.value')`

/**
 * One row per resource. `data` is the canonical SCIM document without `id`, `meta` and group
 * `members` (those live in columns and in `group_members`). Promoted columns serve hot lookups:
 * `name_ci` is the JS-folded userName (User) or displayName (Group); SQLite's lower() folds ASCII only.
 */
export const resources = sqliteTable(
  'resources',
  {
    id: text('id').primaryKey(),
    type: text('type').notNull(),
    nameCi: text('name_ci'),
    externalId: text('external_id'),
    data: text('data').notNull(),
    version: integer('version').notNull(),
    created: text('created').notNull(),
    lastModified: text('last_modified').notNull(),
  },
  (t) => [
    uniqueIndex('resources_user_name_unique').on(t.type, t.nameCi).where(sql`type = 'User'`),
    index('resources_type_name').on(t.type, t.nameCi),
    index('resources_type_external_id').on(t.type, t.externalId),
    // Without it, deleting a user scanned every user for its reports (about 1.5 µs each).
    index('resources_manager')
      .on(sql`${sql.raw(MANAGER_ID)}`)
      .where(sql.raw(`type = 'User' AND ${MANAGER_ID} IS NOT NULL`)),
  ]
)

/** Group membership, kept apart so adding one member never rewrites a large group. */
export const groupMembers = sqliteTable(
  'group_members',
  {
    groupId: text('group_id')
      .notNull()
      .references(() => resources.id, { onDelete: 'cascade' }),
    memberId: text('member_id')
      .notNull()
      .references(() => resources.id, { onDelete: 'cascade' }),
    memberType: text('member_type').notNull(),
  },
  // (member_id, group_id) covers "the groups of this user" without visiting the table rows.
  (t) => [
    primaryKey({ columns: [t.groupId, t.memberId] }),
    index('group_members_member_group').on(t.memberId, t.groupId),
  ]
)

/** Server settings that must survive restarts, such as bearer-token hashes. */
export const settings = sqliteTable('settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
})
