// The tenants benchmark's reference point: a bare Bun.serve over bun:sqlite holding the very rows a setup holds.
// Usage: bun run scripts/bench-lib/tenants-baseline.ts --port P --db FILE --from SCIM_DB
// It copies every user (tenant, id, folded userName, stored document) and every tenant's token
// hash out of the SCIM server's database FROM, then serves the three requests tenants.lua sends,
// each with ONE prepared indexed statement: GET /tenants/T/scim/v2/Users/ID, GET …/Users?filter=
// userName eq "x", and PATCH …/Users/ID (the document read, changed, written back; WAL,
// synchronous=NORMAL, one transaction a request). A token is looked up by its SHA-256 in a Map
// and must belong to the tenant of the path. So its req/s moves with the data's size, as the
// server's does, and the server's ratio to it is what the server adds on top.
import { Database } from 'bun:sqlite'
import { createHash } from 'node:crypto'
import { rmSync } from 'node:fs'
import { optionReader, stopOnSignals } from './proc'

const arg = optionReader(process.argv)

const SCIM_HEADERS = { 'content-type': 'application/scim+json; charset=utf-8' }
const LIST_HEAD = '{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],'
const PATH = /^\/tenants\/([a-z0-9-]+)\/scim\/v2\/Users(?:\/([^/?]+))?(?:\?filter=(.*))?$/
const FILTER = /^userName eq "(.*)"$/

/** A fresh copy of the users and token hashes of the SCIM database `from`. */
function copyOf(path: string, from: string): Database {
  for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true })
  const db = new Database(path, { create: true })
  db.run('PRAGMA journal_mode=WAL')
  db.run('PRAGMA synchronous=NORMAL')
  db.run('CREATE TABLE users (id TEXT PRIMARY KEY, tenant TEXT, user_name TEXT, data TEXT)')
  db.run('CREATE TABLE tokens (hash TEXT PRIMARY KEY, tenant TEXT)')
  db.run(`ATTACH DATABASE '${from.replaceAll("'", "''")}' AS scim`)
  db.run(
    "INSERT INTO users SELECT id, tenant, name_ci, data FROM scim.resources WHERE type = 'User' ORDER BY scim.resources.rowid"
  )
  db.run('INSERT INTO tokens SELECT hash, tenant FROM scim.tokens')
  db.run('DETACH DATABASE scim')
  db.run('CREATE INDEX users_tenant_user_name ON users (tenant, user_name)')
  return db
}

function answer(status: number, body: string): Response {
  return new Response(body, { status, headers: SCIM_HEADERS })
}

type Doc = Record<string, unknown>

/** Entra's deactivate: each Replace op of the PatchOp on a plain or one-dotted path, values as sent. */
function patched(doc: Doc, body: { Operations?: { op: string; path: string; value: unknown }[] }): Doc {
  for (const op of body.Operations ?? []) {
    const [head, sub] = op.path.split('.') as [string, string | undefined]
    if (sub === undefined) doc[head] = op.value
    else doc[head] = { ...(doc[head] as Doc | undefined), [sub]: op.value }
  }
  return doc
}

if (import.meta.main) {
  const db = copyOf(arg('db'), arg('from'))
  const tokens = new Map(
    db
      .query<{ hash: string; tenant: string }, []>('SELECT hash, tenant FROM tokens')
      .all()
      .map((r) => [r.hash, r.tenant])
  )
  const byId = db.prepare<{ data: string }, [string, string]>('SELECT data FROM users WHERE id = ? AND tenant = ?')
  const byName = db.prepare<{ data: string }, [string, string]>(
    'SELECT data FROM users WHERE tenant = ? AND user_name = ?'
  )
  const update = db.prepare('UPDATE users SET data = ? WHERE id = ?')
  const server = Bun.serve({
    port: Number(arg('port')),
    hostname: '127.0.0.1',
    async fetch(req) {
      const url = req.url
      const target = url.slice(url.indexOf('/', url.indexOf('//') + 2))
      if (target === '/healthz') return new Response('ok')
      const m = PATH.exec(target)
      if (!m) return answer(404, '{"status":"404"}')
      const [, tenant, id, filter] = m as unknown as [string, string, string | undefined, string | undefined]
      const token = /^Bearer (\S+)$/.exec(req.headers.get('authorization') ?? '')?.[1]
      const hash = token === undefined ? undefined : createHash('sha256').update(token).digest('hex')
      if (hash === undefined || tokens.get(hash) !== tenant) return answer(401, '{"status":"401"}')
      if (req.method === 'GET' && id !== undefined) {
        const row = byId.get(id, tenant)
        return row ? answer(200, row.data) : answer(404, '{"status":"404"}')
      }
      if (req.method === 'GET' && filter !== undefined) {
        const name = FILTER.exec(decodeURIComponent(filter.replaceAll('+', ' ')))?.[1]
        if (name === undefined) return answer(400, '{"status":"400"}')
        const rows = byName.all(tenant, name.toLowerCase())
        return answer(
          200,
          `${LIST_HEAD}"totalResults":${rows.length},"itemsPerPage":${rows.length},"startIndex":1,"Resources":[${rows.map((r) => r.data).join(',')}]}`
        )
      }
      if (req.method === 'PATCH' && id !== undefined) {
        const body = (await req.json()) as Parameters<typeof patched>[1]
        const row = byId.get(id, tenant)
        if (!row) return answer(404, '{"status":"404"}')
        const data = JSON.stringify(patched(JSON.parse(row.data) as Doc, body))
        update.run(data, id)
        return answer(200, data)
      }
      return answer(405, '{"status":"405"}')
    },
  })
  console.log(`tenants-baseline listening on ${server.url}`)
  stopOnSignals(server, () => db.close())
}
