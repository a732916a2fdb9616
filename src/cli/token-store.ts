// Tenants' bearer tokens in the tokens table: only hashes are stored, never a plain token.
import type { Database } from 'bun:sqlite'
import { randomBytes } from 'node:crypto'
import { generateToken, hashToken } from '../auth/tokens'

/** Hashes of a tenant's provisioning tokens that have not expired. */
export function storedTokenHashes(db: Database, tenant = 'default'): Buffer[] {
  const rows = db
    .query<{ hash: string }, [string, string]>(
      "SELECT hash FROM tokens WHERE tenant = ? AND scope = 'provision' AND (expires IS NULL OR expires > ?)"
    )
    .all(tenant, new Date().toISOString())
  return rows.map((row) => Buffer.from(row.hash, 'hex'))
}

/** Issues a tenant a new token, stores its hash beside the others (or alone with `reset`), returns it. */
export function issueToken(db: Database, reset: boolean, tenant = 'default'): string {
  const token = generateToken()
  db.transaction(() => {
    if (reset) db.query('DELETE FROM tokens WHERE tenant = ?').run(tenant)
    db.query('INSERT INTO tokens (id, tenant, scope, hash, created) VALUES (?, ?, ?, ?, ?)').run(
      randomBytes(6).toString('hex'),
      tenant,
      'provision',
      hashToken(token).toString('hex'),
      new Date().toISOString()
    )
  })()
  return token
}
