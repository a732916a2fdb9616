// The bench's PostgreSQL reference point: baseline-server.ts's bare Bun.serve, over Bun's SQL client.
// Usage: bun run scripts/bench-lib/pg-baseline-server.ts --mode read|write --port P --url postgres://… --token T
//   read:  GET /scim/v2/Users?filter=userName eq "x" → ONE prepared indexed lookup → ListResponse
//   write: POST /scim/v2/Users → ONE prepared INSERT (autocommit, synchronous_commit on) → 201 with the body
// The table is baseline-server.ts's `users (id text primary key, user_name text, data text)` + an
// index on user_name; pg-phases.ts fills it with the very rows the SCIM server returned while seeding.
// Bun SQL's defaults as the server's own client has them: a pool of 10, tagged queries prepared.
import { SQL } from 'bun'
import { optionReader, serveBaseline } from './proc'

const arg = optionReader(process.argv)

/** Creates the baseline table in the database `sql` is connected to; shared with pg-phases.ts. */
export async function createPgBaselineTable(sql: SQL): Promise<void> {
  await sql`CREATE TABLE IF NOT EXISTS users (id text PRIMARY KEY, user_name text, data text)`
  await sql`CREATE INDEX IF NOT EXISTS users_user_name ON users (user_name)`
}

const LIST_HEAD = '{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],'
const SCIM_HEADERS = { 'content-type': 'application/scim+json; charset=utf-8' }
const FILTER = /^userName eq "(.*)"$/

function unauthorized(): Response {
  return new Response('{"status":"401"}', { status: 401, headers: SCIM_HEADERS })
}

function readHandler(sql: SQL, auth: string): (req: Request) => Promise<Response> {
  return async (req) => {
    if (req.headers.get('authorization') !== auth) return unauthorized()
    const url = new URL(req.url)
    const match = FILTER.exec(url.searchParams.get('filter') ?? '')
    if (!match) return new Response('{"status":"400"}', { status: 400, headers: SCIM_HEADERS })
    const rows = (await sql`SELECT data FROM users WHERE user_name = ${match[1]!}`) as { data: string }[]
    const body = `${LIST_HEAD}"totalResults":${rows.length},"itemsPerPage":${rows.length},"startIndex":1,"Resources":[${rows.map((r) => r.data).join(',')}]}`
    return new Response(body, { headers: SCIM_HEADERS })
  }
}

function writeHandler(sql: SQL, auth: string): (req: Request) => Promise<Response> {
  return async (req) => {
    if (req.headers.get('authorization') !== auth) return unauthorized()
    if (req.method !== 'POST') return new Response(null, { status: 405 })
    const doc = (await req.json()) as Record<string, unknown>
    const id = crypto.randomUUID()
    const data = JSON.stringify({ ...doc, id })
    await sql`INSERT INTO users (id, user_name, data) VALUES (${id}, ${String(doc.userName)}, ${data})`
    return new Response(data, { status: 201, headers: SCIM_HEADERS })
  }
}

if (import.meta.main) {
  const mode = arg('mode')
  const sql = new SQL(arg('url'))
  const auth = `Bearer ${arg('token')}`
  const handler = mode === 'write' ? writeHandler(sql, auth) : readHandler(sql, auth)
  serveBaseline(`pg-baseline-server (${mode})`, Number(arg('port')), handler, () => sql.close())
}
