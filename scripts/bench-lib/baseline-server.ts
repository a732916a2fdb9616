// The bench's reference points: a bare Bun.serve over its own bun:sqlite table, no framework.
// Usage: bun run scripts/bench-lib/baseline-server.ts --mode read|write --port P --db FILE --token T
//   read:  GET /scim/v2/Users?filter=userName eq "x" → ONE prepared indexed lookup → ListResponse
//   write: POST /scim/v2/Users → ONE prepared INSERT (WAL, synchronous=NORMAL) → 201 with the body
// The table is `users (id text primary key, user_name text, data text)` + an index on user_name;
// seed.ts fills it with the very rows the SCIM server returned while seeding.
import { Database } from 'bun:sqlite'
import { type BaselineStore, readHandler, writeHandler } from './baseline-handlers'
import { optionReader, serveBaseline } from './proc'

const arg = optionReader(process.argv)

/** Opens (and creates if needed) the baseline table; shared with seed.ts. */
export function openBaselineDb(path: string): Database {
  const db = new Database(path, { create: true })
  db.run('PRAGMA journal_mode=WAL')
  db.run('PRAGMA synchronous=NORMAL')
  db.run('CREATE TABLE IF NOT EXISTS users (id TEXT PRIMARY KEY, user_name TEXT, data TEXT)')
  db.run('CREATE INDEX IF NOT EXISTS users_user_name ON users (user_name)')
  return db
}

function storeOf(db: Database): BaselineStore {
  const byName = db.prepare<{ data: string }, [string]>('SELECT data FROM users WHERE user_name = ?')
  const insert = db.prepare('INSERT INTO users (id, user_name, data) VALUES (?, ?, ?)')
  return { byName: (name) => byName.all(name), insert: (id, name, data) => insert.run(id, name, data) }
}

if (import.meta.main) {
  const mode = arg('mode')
  const db = openBaselineDb(arg('db'))
  const auth = `Bearer ${arg('token')}`
  const handler = mode === 'write' ? writeHandler(storeOf(db), auth) : readHandler(storeOf(db), auth)
  serveBaseline(`baseline-server (${mode})`, Number(arg('port')), handler, () => db.close())
}
