// Tenants' bearer tokens in the tokens table: only hashes are stored, never a plain token.
import type { Database } from 'bun:sqlite'
import { issueTokenRecord, resetTokens } from '../auth/token-admin'

/** Hashes of a tenant's provisioning tokens that have not expired. */
export function storedTokenHashes(db: Database, tenant = 'default'): Buffer[] {
  const rows = db
    .query<{ hash: string }, [string, string]>(
      "SELECT hash FROM tokens WHERE tenant = ? AND scope = 'provision' AND (expires IS NULL OR expires > ?)"
    )
    .all(tenant, new Date().toISOString())
  return rows.map((row) => Buffer.from(row.hash, 'hex'))
}

/**
 * Issues a tenant a provisioning token beside the others (or alone with `reset`), returns it;
 * the first start and `tenant add` use it, through the one issuing path in auth/token-admin.ts.
 */
export function issueToken(db: Database, reset: boolean, tenant = 'default'): string {
  return (reset ? resetTokens(db, tenant) : issueTokenRecord(db, { tenant })).token
}
