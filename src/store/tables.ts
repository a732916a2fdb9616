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
    /** The tenant the resource belongs to (tenants.name); ids are unique across tenants too. */
    tenant: text('tenant').notNull().default('default'),
    type: text('type').notNull(),
    nameCi: text('name_ci'),
    externalId: text('external_id'),
    data: text('data').notNull(),
    version: integer('version').notNull(),
    created: text('created').notNull(),
    lastModified: text('last_modified').notNull(),
  },
  (t) => [
    // Uniqueness and hot lookups are per tenant: the same userName may exist in two tenants.
    uniqueIndex('resources_tenant_user_name_unique').on(t.tenant, t.type, t.nameCi).where(sql`type = 'User'`),
    index('resources_tenant_type_name').on(t.tenant, t.type, t.nameCi),
    index('resources_tenant_type_external_id').on(t.tenant, t.type, t.externalId),
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

/**
 * One row per tenant: the default one (`default`, served at /scim/v2) and every named one (served
 * at /tenants/NAME/scim/v2). Packs, schema documents and settings are JSON, so the binary needs
 * no files beside it.
 */
export const tenants = sqliteTable('tenants', {
  name: text('name').primaryKey(),
  /** Names of the built-in schema packs the tenant serves, as a JSON array. */
  packs: text('packs').notNull().default('[]'),
  /** Extra schema documents (`--schema`, `--group-schema`), as a JSON array of {target, schema}. */
  schemas: text('schemas').notNull().default('[]'),
  /** Per-tenant settings (page limits, compatibility, rate limit, push receivers), as a JSON object. */
  settings: text('settings').notNull().default('{}'),
  created: text('created').notNull(),
})

/**
 * Bearer tokens: only the SHA-256 of each is stored. A token belongs to one tenant and has a
 * scope: `provision` (full SCIM access), `read` (reads and searches only) or `metrics`.
 */
export const tokens = sqliteTable(
  'tokens',
  {
    id: text('id').primaryKey(),
    tenant: text('tenant')
      .notNull()
      .references(() => tenants.name, { onDelete: 'cascade' }),
    label: text('label'),
    scope: text('scope').notNull().default('provision'),
    /** Hex SHA-256 of the token. */
    hash: text('hash').notNull(),
    created: text('created').notNull(),
    expires: text('expires'),
    /** Updated at most once a minute, off the request's hot path. */
    lastUsed: text('last_used'),
  },
  (t) => [uniqueIndex('tokens_hash').on(t.hash), index('tokens_tenant').on(t.tenant)]
)

/**
 * The provisioning journal: one row per committed change, hash-chained per tenant (src/journal).
 * `seq` is global commit order; `changes` and `compat` hold canonical JSON, spliced verbatim into
 * the hashed text, so verifying a row needs no JSON parsing.
 */
export const journal = sqliteTable(
  'journal',
  {
    seq: integer('seq').primaryKey(),
    tenant: text('tenant').notNull(),
    at: text('at').notNull(),
    actor: text('actor'),
    requestId: text('request_id'),
    op: text('op').notNull(),
    resourceType: text('resource_type').notNull(),
    resourceId: text('resource_id').notNull(),
    versionBefore: integer('version_before'),
    versionAfter: integer('version_after'),
    changes: text('changes').notNull(),
    compat: text('compat').notNull(),
    cascade: integer('cascade').notNull(),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
  },
  // Readers and verify walk one tenant in seq order. `at` rides along in the same index rather
  // than in one of its own: export, restore and retention find their start time by scanning it
  // (rare admin work), and each append maintains one index instead of two.
  (t) => [index('journal_tenant_seq_at').on(t.tenant, t.seq, t.at)]
)

/**
 * Each tenant's chain: its last entry (so deleting the newest entries is seen too) and, once
 * retention pruned older entries, the last pruned one, onto which the first kept entry chains.
 */
export const journalChains = sqliteTable('journal_chains', {
  tenant: text('tenant').primaryKey(),
  headSeq: integer('head_seq').notNull(),
  headHash: text('head_hash').notNull(),
  checkpointSeq: integer('checkpoint_seq'),
  checkpointHash: text('checkpoint_hash'),
})
