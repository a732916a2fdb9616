// A tenant's bearer tokens over their life: issue, list, revoke, reset; for the command line and the admin console.
import type { Database } from 'bun:sqlite'
import { randomBytes } from 'node:crypto'
import { dropRevokedTokenStreams } from '../events/streams'
import type { TokenRecord, TokenScope } from './token-registry'
import { generateToken, hashToken } from './tokens'

export const TOKEN_SCOPES: readonly TokenScope[] = ['provision', 'read', 'metrics']

/** A request the tokens table cannot honour (unknown tenant, bad scope, past expiry); the message is one whole line. */
export class TokenAdminError extends Error {}

export interface IssueOptions {
  tenant: string
  /** The admin's name for the token, shown by `token list` and in the request log. */
  label?: string | null
  /** Default `provision`. */
  scope?: string
  /** When the token stops working; absent or null for never. */
  expires?: Date | null
}

/** What `token list` shows of a token: never the token, never its hash. */
export interface TokenInfo extends TokenRecord {
  created: string
  lastUsed: string | null
}

export interface IssuedToken {
  record: TokenRecord
  /** The token itself: shown once, only its SHA-256 is stored. */
  token: string
}

function checkTenant(db: Database, tenant: string): void {
  const found = db.query<{ n: number }, [string]>('SELECT count(*) AS n FROM tenants WHERE name = ?').get(tenant)
  if (!found?.n) throw noTenant(tenant)
}

export const noTenant = (tenant: string) => new TokenAdminError(`no tenant named '${tenant}'`)

/** The record `options` describe, checked before anything is written. */
function recordFor(db: Database, options: IssueOptions, now: Date): TokenRecord {
  checkTenant(db, options.tenant)
  return validTokenRecord(options, now)
}

/** The scopes a token of `tenant` may have: /metrics counts the requests of every tenant, so only the default tenant's admin may read it. */
export function scopesOf(tenant: string): readonly TokenScope[] {
  return tenant === 'default' ? TOKEN_SCOPES : TOKEN_SCOPES.filter((s) => s !== 'metrics')
}

/** The record `options` describe, with a fresh id, or a TokenAdminError saying what is wrong; the tenant's existence is the caller's check. */
export function validTokenRecord(options: IssueOptions, now: Date): TokenRecord {
  const { tenant, label = null, scope = 'provision', expires = null } = options
  if (!(TOKEN_SCOPES as readonly string[]).includes(scope))
    throw new TokenAdminError(`scope must be ${TOKEN_SCOPES.join(', ')}, got '${scope}'`)
  if (!(scopesOf(tenant) as readonly string[]).includes(scope))
    throw new TokenAdminError('metrics tokens belong to the default tenant: /metrics covers every tenant')
  // Labels reach log lines and terminals: no control characters, and short enough to read.
  if (label !== null && !/^[^\p{Cc}]{1,64}$/u.test(label))
    throw new TokenAdminError('a token name is 1 to 64 characters, without control characters')
  if (expires !== null && !(expires.getTime() > now.getTime()))
    throw new TokenAdminError('a token must expire in the future')
  return {
    id: randomBytes(6).toString('hex'),
    tenant,
    label,
    scope: scope as TokenScope,
    expires: expires === null ? null : expires.toISOString(),
  }
}

function insert(db: Database, record: TokenRecord, token: string, now: Date): void {
  db.query('INSERT INTO tokens (id, tenant, label, scope, hash, created, expires) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
    record.id,
    record.tenant,
    record.label,
    record.scope,
    hashToken(token).toString('hex'),
    now.toISOString(),
    record.expires
  )
}

/**
 * Issues a token of `options.tenant` beside its others (several valid tokens let an admin rotate
 * without downtime). A running server on the same database accepts it within a second.
 */
export function issueTokenRecord(db: Database, options: IssueOptions, now = new Date()): IssuedToken {
  // Immediate, so the tenant checked is the tenant the token is stored for: a `tenant remove` of
  // another process in between made the insert a raw FOREIGN KEY constraint error.
  return db
    .transaction(() => {
      const record = recordFor(db, options, now)
      const token = generateToken()
      insert(db, record, token, now)
      return { record, token }
    })
    .immediate()
}

/** Issues one token of `tenant` and revokes all its others, in one transaction: there is never a moment without one. */
export function resetTokens(
  db: Database,
  tenant: string,
  options: Omit<IssueOptions, 'tenant'> = {},
  now = new Date()
): IssuedToken {
  // Immediate: issuing reads the tenant first, and a deferred transaction that has read cannot
  // wait for the write lock (SQLITE_BUSY at once when a server wrote meanwhile).
  return db
    .transaction(() => {
      const issued = issueTokenRecord(db, { ...options, tenant }, now)
      db.query('DELETE FROM tokens WHERE tenant = ? AND id <> ?').run(tenant, issued.record.id)
      dropRevokedTokenStreams(db)
      return issued
    })
    .immediate()
}

/** Every token (of `tenant` when given), by tenant and age. */
export function listTokens(db: Database, tenant?: string): TokenInfo[] {
  if (tenant !== undefined) checkTenant(db, tenant)
  const columns = 'id, tenant, label, scope, created, expires, last_used AS lastUsed'
  return tenant === undefined
    ? db.query<TokenInfo, []>(`SELECT ${columns} FROM tokens ORDER BY tenant, created, id`).all()
    : db.query<TokenInfo, [string]>(`SELECT ${columns} FROM tokens WHERE tenant = ? ORDER BY created, id`).all(tenant)
}

/**
 * Deletes the token with `id`, and its change-event position; false when there is none. A running
 * server refuses it within a second.
 */
export function revokeToken(db: Database, id: string): boolean {
  // Immediate, as every admin write: the lock is taken (or waited for) before anything runs.
  return db
    .transaction(() => {
      const gone = db.query('DELETE FROM tokens WHERE id = ?').run(id).changes > 0
      if (gone) dropRevokedTokenStreams(db)
      return gone
    })
    .immediate()
}
