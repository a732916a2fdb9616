// The tokens table on PostgreSQL: issue, list, revoke and the first start's token, with the checks of auth/token-admin.ts.
import type { SQL } from 'bun'
import type { UsageWriter } from '../auth/last-used'
import { type IssuedToken, type IssueOptions, noTenant, type TokenInfo, validTokenRecord } from '../auth/token-admin'
import { generateToken, hashToken } from '../auth/tokens'
import { POLL_STREAM } from '../events/streams'
import { DEFAULT_TENANT } from '../tenants/name'

/**
 * The advisory lock key of the first start's token (an arbitrary constant, apart from the
 * migration key): replicas starting together on an empty database print one token, not one each.
 */
const FIRST_TOKEN_LOCK_KEY = '7214903318750213871'

async function insertToken(tx: SQL, options: IssueOptions, now: Date): Promise<IssuedToken> {
  const [found] = await tx`SELECT count(*)::int AS n FROM tenants WHERE name = ${options.tenant}`
  if (!found?.n) throw noTenant(options.tenant)
  const record = validTokenRecord(options, now)
  const token = generateToken()
  await tx`INSERT INTO tokens (id, tenant, label, scope, hash, created, expires)
    VALUES (${record.id}, ${record.tenant}, ${record.label}, ${record.scope}, ${hashToken(token).toString('hex')},
            ${now.toISOString()}, ${record.expires})`
  return { record, token }
}

/** Issues a token beside the tenant's others; every replica accepts it within a second. */
export function pgIssueToken(sql: SQL, options: IssueOptions, now = new Date()): Promise<IssuedToken> {
  return insertToken(sql, options, now)
}

/**
 * The first start's token: issued only when the default tenant has no provisioning token that
 * still works, under a lock so that replicas starting together issue one between them.
 * Undefined when there is one already (it was shown when it was issued).
 */
export async function pgIssueFirstToken(sql: SQL, now = new Date()): Promise<string | undefined> {
  return await sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(${FIRST_TOKEN_LOCK_KEY}::bigint)`
    const [row] = await tx`SELECT count(*)::int AS n FROM tokens WHERE tenant = ${DEFAULT_TENANT}
      AND scope = 'provision' AND (expires IS NULL OR expires > ${now.toISOString()})`
    if (row?.n) return undefined
    return (await insertToken(tx, { tenant: DEFAULT_TENANT }, now)).token
  })
}

/** Issues one token of `tenant` and revokes all its others, in one transaction: there is never a moment without one. */
export async function pgResetTokens(
  sql: SQL,
  tenant: string,
  options: Omit<IssueOptions, 'tenant'> = {},
  now = new Date()
): Promise<IssuedToken> {
  return await sql.begin(async (tx) => {
    const issued = await insertToken(tx, { ...options, tenant }, now)
    const gone = await tx`DELETE FROM tokens WHERE tenant = ${tenant} AND id <> ${issued.record.id} RETURNING id`
    for (const { id } of gone) await tx`DELETE FROM event_streams WHERE stream = ${`${POLL_STREAM} ${id}`}`
    return issued
  })
}

/**
 * Every token (of `tenant` when given), by tenant and age; never a token or its hash. Ordered in
 * byte order (COLLATE "C"), as SQLite orders text, whatever the database's collation: both stores
 * list the same tokens alike.
 */
export async function pgListTokens(sql: SQL, tenant?: string): Promise<TokenInfo[]> {
  if (tenant !== undefined) {
    const [found] = await sql`SELECT count(*)::int AS n FROM tenants WHERE name = ${tenant}`
    if (!found?.n) throw noTenant(tenant)
  }
  const rows = (await (tenant === undefined
    ? sql`SELECT id, tenant, label, scope, created, expires, last_used AS "lastUsed" FROM tokens
          ORDER BY tenant COLLATE "C", created COLLATE "C", id COLLATE "C"`
    : sql`SELECT id, tenant, label, scope, created, expires, last_used AS "lastUsed" FROM tokens
          WHERE tenant = ${tenant} ORDER BY created COLLATE "C", id COLLATE "C"`)) as TokenInfo[]
  return [...rows]
}

/** Deletes the token and its change-event position; false when there is none. Every replica refuses it within a second. */
export async function pgRevokeToken(sql: SQL, id: string): Promise<boolean> {
  return await sql.begin(async (tx) => {
    const gone = await tx`DELETE FROM tokens WHERE id = ${id} RETURNING id`
    if (gone.length > 0) await tx`DELETE FROM event_streams WHERE stream = ${`${POLL_STREAM} ${id}`}`
    return gone.length > 0
  })
}

/** `tokens.last_used` on PostgreSQL (auth/last-used.ts): never moved back, whatever order writes land in. */
export function pgUsageWriter(sql: SQL): UsageWriter {
  return (uses) =>
    sql.begin(async (tx) => {
      for (const [id, at] of uses)
        await tx`UPDATE tokens SET last_used = ${at} WHERE id = ${id} AND (last_used IS NULL OR last_used < ${at})`
    })
}
