// Stored bearer-token hashes in the settings table: the plain token is never written anywhere.
import type { Database } from 'bun:sqlite'
import { generateToken, hashToken } from '../auth/tokens'

const KEY = 'token_hashes'

export function storedTokenHashes(db: Database): Buffer[] {
  const row = db.query<{ value: string }, [string]>('SELECT value FROM settings WHERE key = ?').get(KEY)
  if (!row) return []
  return (JSON.parse(row.value) as string[]).map((hex) => Buffer.from(hex, 'hex'))
}

/** Issues a new token, stores its hash beside the existing ones (or alone with `reset`), returns it. */
export function issueToken(db: Database, reset: boolean): string {
  const token = generateToken()
  const hashes = [...(reset ? [] : storedTokenHashes(db)), hashToken(token)].map((h) => h.toString('hex'))
  db.query('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(
    KEY,
    JSON.stringify(hashes)
  )
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
