// The bench's reference points: a bare Bun.serve over its own bun:sqlite table, no framework.
// Usage: bun run scripts/bench-lib/baseline-server.ts --mode read|write --port P --db FILE --token T
//   read:  GET /scim/v2/Users?filter=userName eq "x" → ONE prepared indexed lookup → ListResponse
//   write: POST /scim/v2/Users → ONE prepared INSERT (WAL, synchronous=NORMAL) → 201 with the body
// The table is `users (id text primary key, user_name text, data text)` + an index on user_name;
// seed.ts fills it with the very rows the SCIM server returned while seeding.
import { Database } from 'bun:sqlite'
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

const LIST_HEAD = '{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],'
const SCIM_HEADERS = { 'content-type': 'application/scim+json; charset=utf-8' }
const FILTER = /^userName eq "(.*)"$/

function unauthorized(): Response {
  return new Response('{"status":"401"}', { status: 401, headers: SCIM_HEADERS })
}

function readHandler(db: Database, auth: string): (req: Request) => Response {
  const byName = db.prepare<{ data: string }, [string]>('SELECT data FROM users WHERE user_name = ?')
  return (req) => {
    if (req.headers.get('authorization') !== auth) return unauthorized()
    const url = new URL(req.url)
    const match = FILTER.exec(url.searchParams.get('filter') ?? '')
    if (!match) return new Response('{"status":"400"}', { status: 400, headers: SCIM_HEADERS })
    const rows = byName.all(match[1]!)
    const body = `${LIST_HEAD}"totalResults":${rows.length},"itemsPerPage":${rows.length},"startIndex":1,"Resources":[${rows.map((r) => r.data).join(',')}]}`
    return new Response(body, { headers: SCIM_HEADERS })
  }
}

function writeHandler(db: Database, auth: string): (req: Request) => Promise<Response> {
  const insert = db.prepare('INSERT INTO users (id, user_name, data) VALUES (?, ?, ?)')
  return async (req) => {
    if (req.headers.get('authorization') !== auth) return unauthorized()
    if (req.method !== 'POST') return new Response(null, { status: 405 })
    const doc = (await req.json()) as Record<string, unknown>
    const id = crypto.randomUUID()
    const data = JSON.stringify({ ...doc, id })
    insert.run(id, String(doc.userName), data)
    return new Response(data, { status: 201, headers: SCIM_HEADERS })
  }
}

if (import.meta.main) {
  const mode = arg('mode')
  const db = openBaselineDb(arg('db'))
  const auth = `Bearer ${arg('token')}`
  const handler = mode === 'write' ? writeHandler(db, auth) : readHandler(db, auth)
  serveBaseline(`baseline-server (${mode})`, Number(arg('port')), handler, () => db.close())
}
