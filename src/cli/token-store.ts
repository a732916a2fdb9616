// Stored bearer-token hashes in the settings table: the plain token is never written anywhere.
import type { Database } from 'bun:sqlite'
import { generateToken, hashToken } from './tokens'

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
  db.query('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(KEY, JSON.stringify(hashes))
  return token
}
