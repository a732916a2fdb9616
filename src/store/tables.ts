// Drizzle table definitions: resources as canonical JSON plus promoted columns, and memberships.
import { sql } from 'drizzle-orm'
import { foreignKey, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'
import { URN_ENTERPRISE_USER } from '../scim/constants'

/**
 * A user's manager id (enterprise extension), spelled once for the index below and for the
 * query that finds a deleted manager's reports (store/dependents.ts): SQLite uses an expression
 * index only for the very same expression. `->>` is json_extract without a comma, which
 * drizzle-kit would split the expression at.
 */
export const MANAGER_ID = `(data ->> '$."${URN_ENTERPRISE_USER}".manager.value')`

/** The dashboard's index (below), named in its reads (store/activity.ts) so the planner takes it. */
export const MODIFIED_INDEX = 'resources_type_modified_tenant'

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
    /**
     * The seq of the resource's newest journal entry, where its history is read from (backwards,
     * through each entry's resource_prev_seq). Kept in the row a change rewrites anyway: an index
     * on the journal by resource put a random page of its own in every PATCH's commit.
     */
    journalSeq: integer('journal_seq'),
  },
  (t) => [
    // Uniqueness and hot lookups are per tenant: the same userName may exist in two tenants.
    uniqueIndex('resources_tenant_user_name_unique').on(t.tenant, t.type, t.nameCi).where(sql`type = 'User'`),
    index('resources_tenant_type_name').on(t.tenant, t.type, t.nameCi),
    index('resources_tenant_type_external_id').on(t.tenant, t.type, t.externalId),
    // The most recently modified resources and how many changed lately (the console's dashboard)
    // walk this instead of sorting every row: at 1M users 7 s a dashboard before, milliseconds after.
    // The tenant comes last so every write of every tenant lands in one tail (a write moves its
    // row to the newest end): led by the tenant, a batch spread over 50 tenants dirtied 50 tails.
    index(MODIFIED_INDEX).on(t.type, t.lastModified, t.tenant),
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
  /**
   * Random, written once when the row is added (migration 0009 gave existing rows one): which life
   * of the name this is. A tenant removed and added again keeps its name and gets a new generation,
   * so caches keyed by it and writes authenticated under the old one never meet the new tenant.
   * `created` is not enough: it has millisecond resolution and comes from whichever clock wrote it.
   */
  generation: text('generation').notNull().default(''),
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
 * Each tenant's key for signing its change events (RFC 8417 SETs as JWS, ES256), made the first
 * time the tenant's events or keys are asked for. `private_jwk` is the P-256 private key as a JWK
 * (RFC 7517); `kid` is its RFC 7638 thumbprint, which the published JWKS carries.
 */
export const eventKeys = sqliteTable(
  'event_keys',
  {
    kid: text('kid').primaryKey(),
    tenant: text('tenant')
      .notNull()
      .references(() => tenants.name, { onDelete: 'cascade' }),
    privateJwk: text('private_jwk').notNull(),
    created: text('created').notNull(),
  },
  (t) => [index('event_keys_tenant').on(t.tenant)]
)

/**
 * How far each receiver of a tenant's events got: `poll <token id>` for a stored token polling
 * the RFC 8936 endpoint, `poll` for the server's `--token` ones, or `push <url>` for an RFC 8935
 * receiver. Every journal entry up to `acked_seq` is acknowledged;
 * entries after it are delivered again until acknowledged, however long the receiver was away.
 */
export const eventStreams = sqliteTable(
  'event_streams',
  {
    tenant: text('tenant')
      .notNull()
      .references(() => tenants.name, { onDelete: 'cascade' }),
    stream: text('stream').notNull(),
    ackedSeq: integer('acked_seq').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.tenant, t.stream] })]
)

/**
 * Acknowledgements ahead of a stream's `acked_seq` (a poll client may ack events out of order);
 * the position moves past them once the events before them are acknowledged too.
 */
export const eventAcks = sqliteTable(
  'event_acks',
  {
    tenant: text('tenant').notNull(),
    stream: text('stream').notNull(),
    seq: integer('seq').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenant, t.stream, t.seq] }),
    foreignKey({ columns: [t.tenant, t.stream], foreignColumns: [eventStreams.tenant, eventStreams.stream] }).onDelete(
      'cascade'
    ),
  ]
)

/**
 * Accounts of the admin console (/admin), apart from bearer tokens: a token never signs anyone
 * in and an account never calls the SCIM API. `password_hash` is Bun.password's argon2id PHC
 * string; null until the account sets one through a one-time sign-in link.
 */
export const admins = sqliteTable('admins', {
  name: text('name').primaryKey(),
  passwordHash: text('password_hash'),
  created: text('created').notNull(),
})

/** Signed-in console sessions: only the SHA-256 of the cookie's random id is stored. */
export const adminSessions = sqliteTable(
  'admin_sessions',
  {
    /** Hex SHA-256 of the session id the cookie carries. */
    idHash: text('id_hash').primaryKey(),
    admin: text('admin')
      .notNull()
      .references(() => admins.name, { onDelete: 'cascade' }),
    /** The session's CSRF token, sent back in forms and the x-csrf-token header of every change. */
    csrf: text('csrf').notNull(),
    created: text('created').notNull(),
    expires: text('expires').notNull(),
  },
  (t) => [index('admin_sessions_admin').on(t.admin)]
)

/** One-time sign-in links (`admin add NAME --link`): the SHA-256 of the link's token, used once. */
export const adminLinks = sqliteTable('admin_links', {
  hash: text('hash').primaryKey(),
  admin: text('admin')
    .notNull()
    .references(() => admins.name, { onDelete: 'cascade' }),
  created: text('created').notNull(),
  expires: text('expires').notNull(),
})

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
    /**
     * The seq of the same resource's previous entry (null for its first, or when that one is
     * pruned): a resource's history (the console's detail page, the journal filtered by id) is
     * the chain from its newest entry (resources.journal_seq, or journal_deleted once it is
     * gone). Not part of the hashed form: it only finds entries, `verify` proves them.
     */
    resourcePrevSeq: integer('resource_prev_seq'),
  },
  // Readers and verify walk one tenant in seq order. `at` rides along in the same index rather
  // than in one of its own: export, restore and retention find their start time by scanning it
  // (rare admin work), and each append maintains one index instead of two.
  (t) => [index('journal_tenant_seq_at').on(t.tenant, t.seq, t.at)]
)

/**
 * The newest journal entry of each deleted resource, where its history is read from once the
 * resource's row (and its journal_seq) is gone. Retention drops a row with the entry it names.
 */
export const journalDeleted = sqliteTable('journal_deleted', {
  resourceId: text('resource_id').primaryKey(),
  tenant: text('tenant').notNull(),
  seq: integer('seq').notNull(),
})

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
