// The bench's PostgreSQL reference point: baseline-server.ts's bare Bun.serve, over Bun's SQL client.
// Usage: bun run scripts/bench-lib/pg-baseline-server.ts --mode read|write --port P --url postgres://… --token T
//   read:  GET /scim/v2/Users?filter=userName eq "x" → ONE prepared indexed lookup → ListResponse
//   write: POST /scim/v2/Users → ONE prepared INSERT (autocommit, synchronous_commit on) → 201 with the body
// The table is baseline-server.ts's `users (id text primary key, user_name text, data text)` + an
// index on user_name; pg-phases.ts fills it with the very rows the SCIM server returned while seeding.
// Bun SQL's defaults as the server's own client has them: a pool of 10, tagged queries prepared.
import { SQL } from 'bun'
import { type BaselineStore, readHandler, writeHandler } from './baseline-handlers'
import { optionReader, serveBaseline } from './proc'

const arg = optionReader(process.argv)

/** Creates the baseline table in the database `sql` is connected to; shared with pg-phases.ts. */
export async function createPgBaselineTable(sql: SQL): Promise<void> {
  await sql`CREATE TABLE IF NOT EXISTS users (id text PRIMARY KEY, user_name text, data text)`
  await sql`CREATE INDEX IF NOT EXISTS users_user_name ON users (user_name)`
}

function storeOf(sql: SQL): BaselineStore {
  return {
    byName: (name) => sql`SELECT data FROM users WHERE user_name = ${name}` as Promise<{ data: string }[]>,
    insert: (id, name, data) => sql`INSERT INTO users (id, user_name, data) VALUES (${id}, ${name}, ${data})`,
  }
}

if (import.meta.main) {
  const mode = arg('mode')
  const sql = new SQL(arg('url'))
  const auth = `Bearer ${arg('token')}`
  const handler = mode === 'write' ? writeHandler(storeOf(sql), auth) : readHandler(storeOf(sql), auth)
  serveBaseline(`pg-baseline-server (${mode})`, Number(arg('port')), handler, () => sql.close())
}
