// The tables of src/store/tables.ts in Drizzle's PostgreSQL dialect: `data` as jsonb, the same indexes.
import { sql } from 'drizzle-orm'
import {
  type AnyPgColumn,
  bigint,
  customType,
  foreignKey,
  index,
  integer,
  pgSequence,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
} from 'drizzle-orm/pg-core'
import { URN_ENTERPRISE_USER } from '../scim/constants'

/**
 * A user's manager id (enterprise extension), spelled once for the index below and for the query
 * that finds a deleted manager's reports: PostgreSQL uses an expression index only for the same
 * expression. Quoted as a string literal, not bound: an index cannot hold a parameter.
 */
export const MANAGER_ID = `(data -> '${URN_ENTERPRISE_USER}' -> 'manager' ->> 'value')`

/**
 * Text ordered by code point, as SQLite orders it, whatever collation the database was created
 * with; for the promoted columns, whose indexes serve `sw` ranges and sorting (filter-sql.ts).
 */
const codePointText = customType<{ data: string }>({ dataType: () => 'text COLLATE "C"' })

/**
 * jsonb that Bun's SQL client encodes itself: drizzle-orm 0.45's own jsonb() stringifies the
 * value first, and over drizzle-orm/bun-sql that stores a JSON *string* (jsonb_typeof 'string'),
 * which no jsonb operator can look into (tests/store-pg/bun-sql.test.ts).
 */
const document = customType<{ data: Record<string, unknown>; driverData: Record<string, unknown> }>({
  dataType: () => 'jsonb',
  toDriver: (value) => value,
  fromDriver: (value) => value,
})

/**
 * One row per resource, as in the SQLite store: `data` is the canonical SCIM document without
 * `id`, `meta` and group `members`; `name_ci` is the JS-folded userName or displayName.
 * `seq` stands in for SQLite's rowid: insertion order, the tie-break of sorted pages and the
 * position cursors resume from.
 */
export const resources = pgTable(
  'resources',
  {
    // Code-point order: cursors walk the primary key in the order SQLite's binary text keeps it.
    id: codePointText('id').primaryKey(),
    seq: bigint('seq', { mode: 'number' }).notNull().generatedAlwaysAsIdentity(),
    /**
     * The tenant the resource belongs to (tenants.name); ids are unique across tenants too. A
     * foreign key: a replica that has not yet seen a tenant's removal cannot write rows a tenant
     * made again under the name would inherit.
     */
    tenant: text('tenant')
      .notNull()
      .default('default')
      .references((): AnyPgColumn => tenants.name, { onDelete: 'cascade' }),
    type: text('type').notNull(),
    nameCi: codePointText('name_ci'),
    externalId: codePointText('external_id'),
    data: document('data').notNull(),
    version: integer('version').notNull(),
    created: text('created').notNull(),
    // Code-point order, so the activity index below serves its text comparisons whatever the locale.
    lastModified: codePointText('last_modified').notNull(),
  },
  (t) => [
    // Uniqueness and hot lookups are per tenant: the same userName may exist in two tenants.
    uniqueIndex('resources_tenant_user_name_unique').on(t.tenant, t.type, t.nameCi).where(sql`type = 'User'`),
    index('resources_tenant_type_name').on(t.tenant, t.type, t.nameCi),
    index('resources_tenant_type_external_id').on(t.tenant, t.type, t.externalId),
    uniqueIndex('resources_seq').on(t.seq),
    // The console's most recently modified resources and recent-change counts walk this.
    index('resources_tenant_type_modified').on(t.tenant, t.type, t.lastModified),
    // Deleting a user finds its reports through this instead of scanning every user.
    index('resources_manager')
      .on(sql`${sql.raw(MANAGER_ID)}`)
      .where(sql.raw(`type = 'User' AND ${MANAGER_ID} IS NOT NULL`)),
  ]
)

/**
 * Group membership, kept apart so adding one member never rewrites a large group. `seq` keeps
 * the order members were added in (SQLite's rowid), which `members` is served and sorted in.
 */
export const groupMembers = pgTable(
  'group_members',
  {
    // The collation of the key they reference (resources.id).
    groupId: codePointText('group_id')
      .notNull()
      .references(() => resources.id, { onDelete: 'cascade' }),
    memberId: codePointText('member_id')
      .notNull()
      .references(() => resources.id, { onDelete: 'cascade' }),
    memberType: text('member_type').notNull(),
    seq: bigint('seq', { mode: 'number' }).notNull().generatedAlwaysAsIdentity(),
  },
  // (member_id, group_id) covers "the groups of this user" without visiting the table rows.
  (t) => [
    primaryKey({ columns: [t.groupId, t.memberId] }),
    index('group_members_member_group').on(t.memberId, t.groupId),
  ]
)

/** Server settings that must survive restarts. */
export const settings = pgTable('settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
})

/**
 * One row per tenant: `default` (served at /scim/v2) and every named one. Packs, schema documents
 * and settings stay JSON text, as in the SQLite store, so both stores hand services the same values.
 */
export const tenants = pgTable('tenants', {
  name: text('name').primaryKey(),
  packs: text('packs').notNull().default('[]'),
  schemas: text('schemas').notNull().default('[]'),
  settings: text('settings').notNull().default('{}'),
  created: text('created').notNull(),
  /** Which life of the name this is (src/store/tables.ts); the default gives each existing row its own. */
  generation: text('generation').notNull().default(sql`gen_random_uuid()::text`),
})

/** Bearer tokens: only the hex SHA-256 of each is stored; scope `provision`, `read` or `metrics`. */
export const tokens = pgTable(
  'tokens',
  {
    id: text('id').primaryKey(),
    tenant: text('tenant')
      .notNull()
      .references(() => tenants.name, { onDelete: 'cascade' }),
    label: text('label'),
    scope: text('scope').notNull().default('provision'),
    hash: text('hash').notNull(),
    created: text('created').notNull(),
    expires: text('expires'),
    lastUsed: text('last_used'),
  },
  (t) => [uniqueIndex('tokens_hash').on(t.hash), index('tokens_tenant').on(t.tenant)]
)

/** Each tenant's ES256 key for signing its change events (RFC 8417 SETs), as a private JWK. */
export const eventKeys = pgTable(
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

/** How far each receiver (`poll`, `push <url>`) of a tenant's events got: every entry up to `acked_seq`. */
export const eventStreams = pgTable(
  'event_streams',
  {
    tenant: text('tenant')
      .notNull()
      .references(() => tenants.name, { onDelete: 'cascade' }),
    stream: text('stream').notNull(),
    ackedSeq: bigint('acked_seq', { mode: 'number' }).notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.tenant, t.stream] })]
)

/** Acknowledgements ahead of a stream's `acked_seq` (RFC 8936 poll clients may ack out of order). */
export const eventAcks = pgTable(
  'event_acks',
  {
    tenant: text('tenant').notNull(),
    stream: text('stream').notNull(),
    seq: bigint('seq', { mode: 'number' }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenant, t.stream, t.seq] }),
    foreignKey({ columns: [t.tenant, t.stream], foreignColumns: [eventStreams.tenant, eventStreams.stream] }).onDelete(
      'cascade'
    ),
  ]
)

/** Accounts of the admin console (/admin); `password_hash` is Bun.password's argon2id PHC string. */
export const admins = pgTable('admins', {
  name: text('name').primaryKey(),
  passwordHash: text('password_hash'),
  created: text('created').notNull(),
})

/** Signed-in console sessions: only the SHA-256 of the cookie's random id is stored. */
export const adminSessions = pgTable(
  'admin_sessions',
  {
    idHash: text('id_hash').primaryKey(),
    admin: text('admin')
      .notNull()
      .references(() => admins.name, { onDelete: 'cascade' }),
    csrf: text('csrf').notNull(),
    created: text('created').notNull(),
    expires: text('expires').notNull(),
  },
  (t) => [index('admin_sessions_admin').on(t.admin)]
)

/** One-time sign-in links: the SHA-256 of the link's token, used once. */
export const adminLinks = pgTable('admin_links', {
  hash: text('hash').primaryKey(),
  admin: text('admin')
    .notNull()
    .references(() => admins.name, { onDelete: 'cascade' }),
  created: text('created').notNull(),
  expires: text('expires').notNull(),
})

/**
 * Journal positions. SQLite numbers an entry max(head)+1 under its single writer; here replicas
 * append for several tenants at once (each tenant under its own lock, tenant-lock.ts), so the
 * number comes from a sequence: taken under the tenant's lock, a tenant's entries still number in
 * commit order, and the number is known before the hash that covers it is computed.
 */
export const journalSeq = pgSequence('journal_seq', { startWith: 1, increment: 1 })

/**
 * The provisioning journal, as src/store/tables.ts keeps it: one row per committed change,
 * hash-chained per tenant; `changes` and `compat` hold canonical JSON text, spliced verbatim into
 * the hashed text (src/journal/canonical.ts entryText), so they are text, not jsonb (which would
 * reorder keys).
 */
export const journal = pgTable(
  'journal',
  {
    seq: bigint('seq', { mode: 'number' }).primaryKey(),
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
  // The second: one resource's history (the console's), newest first without a sort, as SQLite's
  // journal_tenant_resource (whose entries end with the rowid, which is seq) serves it.
  (t) => [
    index('journal_tenant_seq_at').on(t.tenant, t.seq, t.at),
    index('journal_tenant_resource').on(t.tenant, t.resourceId, t.seq),
  ]
)

/** Each tenant's chain head and, after retention pruned older entries, its checkpoint. */
export const journalChains = pgTable('journal_chains', {
  tenant: text('tenant').primaryKey(),
  headSeq: bigint('head_seq', { mode: 'number' }).notNull(),
  headHash: text('head_hash').notNull(),
  checkpointSeq: bigint('checkpoint_seq', { mode: 'number' }),
  checkpointHash: text('checkpoint_hash'),
})

/**
 * Each tenant's change token: a random value replaced in every transaction that changes any of
 * the tenant's resources, so an entry a replica cached is current exactly while the token it was
 * read with still is (cached-reads.ts). Random, not a counter: a tenant removed and added again
 * must not meet a token of its earlier life.
 */
export const resourceChanges = pgTable('resource_changes', {
  tenant: text('tenant')
    .primaryKey()
    .references(() => tenants.name, { onDelete: 'cascade' }),
  token: text('token').notNull(),
})
