// Server-side time to render admin console pages over a large tenant (a benchmark, not a timed test).
// Usage: bun run scripts/bench-console.ts [--users 1000000] [--rounds 300] [--db PATH]
// The database is made once (users written straight into SQLite in the shape the server stores
// them, spread over the last 30 days) and kept for later runs; each page is rendered through
// app.handle() with a signed-in session, so the figures are the server's own time, no network.
import { existsSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { createAdminStore } from '../src/console/admin-store'
import { hashPassword } from '../src/console/passwords'
import { createScimServer } from '../src/server'
import { openDatabase } from '../src/store/db'

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: { users: { type: 'string' }, rounds: { type: 'string' }, db: { type: 'string' } },
})
const users = Number(values.users ?? 1_000_000)
const rounds = Number(values.rounds ?? 300)
const db = values.db ?? `/tmp/scim-console-bench-${users}.db`
const ORIGIN = 'http://console.bench:8080'
const PASSWORD = 'benchmark password'

function seed(path: string, n: number): void {
  const { sqlite } = openDatabase(path, 'normal')
  const started = performance.now()
  sqlite.run(
    `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
     INSERT INTO resources (id, tenant, type, name_ci, external_id, data, version, created, last_modified)
     SELECT lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' ||
                  hex(randomblob(2)) || '-' || hex(randomblob(6))),
            'default', 'User', 'u' || i || '@example.com', 'e' || i,
            json_object('userName', 'u' || i || '@example.com', 'externalId', 'e' || i,
                        'name', json_object('givenName', 'Ada', 'familyName', 'Ng'),
                        'emails', json_array(json_object('value', 'u' || i || '@example.com', 'type', 'work', 'primary', json('true'))),
                        'active', json('true')),
            1, t, t
     FROM (SELECT i, strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-' || (i % 2592000) || ' seconds') AS t FROM n)`,
    [n]
  )
  sqlite.run('ANALYZE')
  sqlite.close()
  console.log(
    `seeded ${n.toLocaleString('en')} users into ${path} in ${((performance.now() - started) / 1000).toFixed(1)} s`
  )
}

if (!existsSync(db)) seed(db, users)
// One large group (the first 100,000 users, or all when fewer), for its detail page.
{
  const { sqlite } = openDatabase(db, 'normal')
  if (!sqlite.query("SELECT 1 FROM resources WHERE id = 'big-group-100k'").get()) {
    const t = new Date().toISOString()
    sqlite.run(
      `INSERT INTO resources (id, tenant, type, name_ci, data, version, created, last_modified)
       VALUES ('big-group-100k', 'default', 'Group', 'big group', '{"displayName":"Big group"}', 1, ?, ?)`,
      [t, t]
    )
    sqlite.run(
      `INSERT INTO group_members (group_id, member_id, member_type)
       SELECT 'big-group-100k', id, 'User' FROM resources WHERE type = 'User' LIMIT 100000`
    )
  }
  sqlite.close()
}
const server = createScimServer({ db, durability: 'normal', tokenHashes: [] })
const admins = createAdminStore(server.sqlite)
admins.save('bench', await hashPassword(PASSWORD), new Date().toISOString())

// Sign in as a browser does: the form's cookie and token, then the session cookie.
const form = await server.app.handle(new Request(`${ORIGIN}/admin/sign-in`))
const formCookie = form.headers.getSetCookie()[0]!.split(';')[0]!
const csrf = /name="csrf" value="([^"]+)"/.exec(await form.text())![1]!
const signIn = await server.app.handle(
  new Request(`${ORIGIN}/admin/sign-in`, {
    method: 'POST',
    headers: { cookie: formCookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ csrf, name: 'bench', password: PASSWORD }).toString(),
  })
)
const cookie = signIn.headers
  .getSetCookie()
  .find((c) => c.startsWith('scim_console='))!
  .split(';')[0]!

async function render(path: string): Promise<{ ms: number; status: number; text: string }> {
  const started = performance.now()
  const res = await server.app.handle(new Request(`${ORIGIN}${path}`, { headers: { cookie } }))
  const text = await res.text()
  return { ms: performance.now() - started, status: res.status, text }
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!
}

async function measure(label: string, path: string, n = rounds): Promise<void> {
  const first = await render(path)
  if (first.status !== 200) throw new Error(`${path}: ${first.status}\n${first.text.slice(0, 500)}`)
  for (let i = 0; i < 10; i++) await render(path)
  const times: number[] = []
  for (let i = 0; i < n; i++) times.push((await render(path)).ms)
  times.sort((a, b) => a - b)
  const f = (x: number) => x.toFixed(2).padStart(8)
  console.log(
    `${label.padEnd(44)} first ${f(first.ms)} ms  p50 ${f(quantile(times, 0.5))} ms  p99 ${f(quantile(times, 0.99))} ms  (${n} renders)`
  )
}

// The very first render also counts the tenant (count(*) over the type index); later ones reuse
// that total until a write adds or removes a resource.
const cold = await render('/admin/users')
const total = cold.text.match(/([\d,]+) users match/)?.[1]
console.log(
  `tenant: ${total} users; Bun ${Bun.version}; first render after start (counts them): ${cold.ms.toFixed(1)} ms`
)
const found = (await render('/admin/users?q=u99999')).text.match(/([\d,]+) users? match/)?.[1]
if (found !== '11') throw new Error(`the search found ${found} users, not 11`)
await measure('first users page (/admin/users)', '/admin/users')
const next = /rel="next" href="([^"]+)"/.exec((await render('/admin/users')).text)![1]!.replaceAll('&amp;', '&')
await measure('second users page (cursor)', next)
await measure('plain-text search "u99999" (11 matches)', '/admin/users?q=u99999', Math.min(rounds, 30))
await measure(
  'filter userName eq "u500000@example.com"',
  `/admin/users?q=${encodeURIComponent('userName eq "u500000@example.com"')}`
)
await measure(
  'filter no index serves: emails.value co "u99999"',
  `/admin/users?q=${encodeURIComponent('emails.value co "u99999"')}`,
  5
)
await measure('dashboard', '/admin', Math.min(rounds, 30))
await measure('group of 100,000 members', '/admin/group?id=big-group-100k', Math.min(rounds, 30))
server.store.close()
