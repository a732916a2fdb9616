// The tenants table on PostgreSQL: read, add (with the first token), change and remove tenants, with the checks of tenants/create.ts.
import type { SQL } from 'bun'
import { type PushStart, pushStreamChanges } from '../events/push-urls'
import { configOf, newGeneration, type TenantConfig, type TenantRow } from '../tenants/config'
import { checkNewTenant, checkTenantName, noSuchTenant } from '../tenants/create'
import { checkRemovable, type TenantCounts } from '../tenants/rows'
import { lockTenant } from './tenant-lock'
import { pgIssueToken } from './tokens'

type NewTenant = Omit<TenantConfig, 'created' | 'generation'>

/** Every tenant row, by name in code-point order (as SQLite orders it, whatever the database's collation). */
export async function pgReadTenants(sql: SQL): Promise<TenantRow[]> {
  return [
    ...((await sql`SELECT name, packs, schemas, settings, created, generation FROM tenants ORDER BY name COLLATE "C"`) as TenantRow[]),
  ]
}

export async function pgReadTenant(sql: SQL, name: string): Promise<TenantConfig | undefined> {
  const [row] =
    (await sql`SELECT name, packs, schemas, settings, created, generation FROM tenants WHERE name = ${name}`) as TenantRow[]
  return row ? configOf(row) : undefined
}

/** What the tenant holds, counted as tenants/rows.ts countTenant counts it on SQLite. */
export async function pgCountTenant(sql: SQL, name: string): Promise<TenantCounts> {
  const [row] = (await sql`SELECT
      (SELECT count(*)::int FROM resources WHERE tenant = ${name} AND type = 'User') AS users,
      (SELECT count(*)::int FROM resources WHERE tenant = ${name} AND type = 'Group') AS groups,
      (SELECT count(*)::int FROM group_members
         WHERE group_id IN (SELECT id FROM resources WHERE tenant = ${name})) AS memberships,
      (SELECT count(*)::int FROM tokens WHERE tenant = ${name}) AS tokens,
      (SELECT count(*)::int FROM journal WHERE tenant = ${name}) AS "journalEntries"`) as TenantCounts[]
  return { ...row! }
}

/**
 * Adds the tenant, its first provisioning token and its receivers' positions in one transaction;
 * returns the token. Under the tenant's lock: two adds of one name wait for each other (the
 * second is told the name is taken, not a unique violation), and no journal entry of the tenant
 * commits between the head read that places its receivers and the commit.
 */
export async function pgCreateTenant(
  sql: SQL,
  config: NewTenant,
  pushFrom: PushStart,
  now = new Date()
): Promise<string> {
  return await sql.begin(async (tx) => {
    await insertTenant(tx, config, pushFrom, now)
    return (await pgIssueToken(tx, { tenant: config.name }, now)).token
  })
}

/**
 * The same add without a token: the console's create form, whose tenant gets its first token on
 * its own tokens page (tenants/create.ts addTenant on SQLite).
 */
export async function pgAddTenant(sql: SQL, config: NewTenant, now = new Date()): Promise<void> {
  await sql.begin((tx) => insertTenant(tx, config, 'head', now))
}

async function insertTenant(tx: SQL, config: NewTenant, pushFrom: PushStart, now: Date): Promise<void> {
  // The name before the lock and the lookup: PostgreSQL refuses text with a NUL in it (the
  // console's create form can send one) with an error, where a bad name is the admin's mistake.
  checkTenantName(config.name)
  await lockTenant(tx, config.name)
  const [found] = await tx`SELECT count(*)::int AS n FROM tenants WHERE name = ${config.name}`
  checkNewTenant(config, (found?.n ?? 0) > 0)
  await tx`INSERT INTO tenants (name, packs, schemas, settings, created, generation)
    VALUES (${config.name}, ${JSON.stringify(config.packs)}, ${JSON.stringify(config.schemas)},
            ${JSON.stringify(config.settings)}, ${now.toISOString()}, ${newGeneration()})`
  await placePushStreams(tx, config.name, [], config.settings.pushUrls ?? [], pushFrom)
}

/**
 * Reads the tenant, stores `edit(before)` and moves its receivers' positions, in one transaction
 * under the tenant's lock (row lock too), so two changes at once never lose one another's.
 * `edit` checks what it returns and throws to change nothing.
 */
export async function pgChangeTenant(
  sql: SQL,
  name: string,
  edit: (before: TenantConfig) => NewTenant,
  pushFrom: PushStart
): Promise<void> {
  await sql.begin(async (tx) => {
    await lockTenant(tx, name)
    const [row] = (await tx`SELECT name, packs, schemas, settings, created, generation FROM tenants
      WHERE name = ${name} FOR UPDATE`) as TenantRow[]
    if (!row) throw noSuchTenant(name)
    const before = configOf(row)
    const after = edit(before)
    await tx`UPDATE tenants SET packs = ${JSON.stringify(after.packs)}, schemas = ${JSON.stringify(after.schemas)},
      settings = ${JSON.stringify(after.settings)} WHERE name = ${name}`
    await placePushStreams(tx, name, before.settings.pushUrls ?? [], after.settings.pushUrls ?? [], pushFrom)
  })
}

/**
 * Deletes what tenants/rows.ts deleteTenant deletes, in one transaction: the resources (their
 * memberships cascade), tokens, journal and chain head, then the row (signing keys and event
 * positions cascade from it). Under the tenant's lock, so no journal append of the tenant
 * interleaves. Returns what went; an unknown tenant is a TenantError.
 */
export async function pgDeleteTenant(sql: SQL, name: string): Promise<TenantCounts> {
  checkRemovable(name)
  return await sql.begin(async (tx) => {
    await lockTenant(tx, name)
    const [row] = await tx`SELECT name FROM tenants WHERE name = ${name} FOR UPDATE`
    if (!row) throw noSuchTenant(name)
    const counts = await pgCountTenant(tx, name)
    await tx`DELETE FROM resources WHERE tenant = ${name}`
    await tx`DELETE FROM tokens WHERE tenant = ${name}`
    await tx`DELETE FROM journal WHERE tenant = ${name}`
    await tx`DELETE FROM journal_chains WHERE tenant = ${name}`
    await tx`DELETE FROM tenants WHERE name = ${name}`
    return counts
  })
}

/**
 * events/push-urls.ts placePushStreams on PostgreSQL: each added receiver starts at the journal's
 * head (or 0 for `oldest`), each removed one loses its position. Called under the tenant's lock,
 * which every journal append of the tenant takes, so the head read stays the head until commit.
 */
async function placePushStreams(
  tx: SQL,
  tenant: string,
  before: readonly string[],
  after: readonly string[],
  from: PushStart
): Promise<void> {
  const { place, drop } = pushStreamChanges(before, after)
  if (place.length > 0) {
    const [head] = await tx`SELECT coalesce(max(seq), 0)::text AS seq FROM journal WHERE tenant = ${tenant}`
    const start = from === 'oldest' ? 0 : Number(head?.seq ?? 0)
    for (const stream of place) {
      await tx`DELETE FROM event_acks WHERE tenant = ${tenant} AND stream = ${stream}`
      await tx`INSERT INTO event_streams (tenant, stream, acked_seq) VALUES (${tenant}, ${stream}, ${start})
        ON CONFLICT (tenant, stream) DO UPDATE SET acked_seq = excluded.acked_seq`
    }
  }
  for (const stream of drop) await tx`DELETE FROM event_streams WHERE tenant = ${tenant} AND stream = ${stream}`
}
