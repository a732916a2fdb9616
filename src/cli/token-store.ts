// The default tenant's bearer tokens in the tokens table: only hashes are stored, never a plain token.
import type { Database } from 'bun:sqlite'
import { randomBytes } from 'node:crypto'
import { generateToken, hashToken } from '../auth/tokens'

const TENANT = 'default'

/** Hashes of the default tenant's provisioning tokens that have not expired. */
export function storedTokenHashes(db: Database): Buffer[] {
  const rows = db
    .query<{ hash: string }, [string, string]>(
      "SELECT hash FROM tokens WHERE tenant = ? AND scope = 'provision' AND (expires IS NULL OR expires > ?)"
    )
    .all(TENANT, new Date().toISOString())
  return rows.map((row) => Buffer.from(row.hash, 'hex'))
}

/** Issues a new token, stores its hash beside the existing ones (or alone with `reset`), returns it. */
export function issueToken(db: Database, reset: boolean): string {
  const token = generateToken()
  db.transaction(() => {
    if (reset) db.query('DELETE FROM tokens WHERE tenant = ?').run(TENANT)
    db.query('INSERT INTO tokens (id, tenant, scope, hash, created) VALUES (?, ?, ?, ?, ?)').run(
      randomBytes(6).toString('hex'),
      TENANT,
      'provision',
      hashToken(token).toString('hex'),
      new Date().toISOString()
    )
  })()
  return token
}

/**
 * The stored hashes, re-read at most every `maxAgeMs`, so `scim-server token --reset` run
 * beside a live server revokes the old tokens within a second, without a restart. An empty list
 * is re-read on every ask: the first token is issued only once the server listens, and must
 * work from the moment it is printed (a server without tokens accepts nobody anyway).
 */
export function storedTokenReader(db: Database, maxAgeMs = 1000): () => readonly Buffer[] {
  let hashes = storedTokenHashes(db)
  let readAt = Date.now()
  return () => {
    const now = Date.now()
    if (hashes.length === 0 || now - readAt > maxAgeMs) {
      hashes = storedTokenHashes(db)
      readAt = now
    }
    return hashes
  }
}
