// Server-side time to render admin console pages over a large tenant (a benchmark, not a timed test).
// Usage: bun run scripts/bench-console.ts [--users 1000000] [--entries 1000000] [--rounds 300] [--db PATH]
// The database is made once (users written straight into SQLite in the shape the server stores
// them, spread over the last 30 days, and journal entries: ten for each of the first tenth of
// them) and kept for later runs; each page is rendered through app.handle() with a signed-in
// session, so the figures are the server's own time, no network.
import { existsSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { createAdminStore } from '../src/console/admin-store'
import { journalData } from '../src/console/journal-data'
import { hashPassword } from '../src/console/passwords'
import { createScimServer } from '../src/server'
import { openDatabase } from '../src/store/db'

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    users: { type: 'string' },
    entries: { type: 'string' },
    rounds: { type: 'string' },
    db: { type: 'string' },
  },
})
const users = Number(values.users ?? 1_000_000)
const entries = Number(values.entries ?? 1_000_000)
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
/**
 * `n` journal entries of the default tenant, each of the first n/10 users created and then patched
 * nine times, interleaved in seq order as a provisioning cycle writes them: a user's ten entries
 * lie n/10 apart. Their hashes are placeholders (`journal verify` would refuse them): the reads
 * measured here never look at them.
 */
function seedJournal(path: string, n: number): void {
  const { sqlite } = openDatabase(path, 'normal')
  const have = sqlite.query<{ n: number }, []>("SELECT count(*) AS n FROM journal WHERE tenant = 'default'").get()!.n
  if (have >= n) return sqlite.close()
  const started = performance.now()
  const per = Math.ceil(n / 10)
  const zero = '0'.repeat(64)
  sqlite.run('DELETE FROM journal')
  sqlite.run(
    `WITH u AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k FROM
                  (SELECT id FROM resources WHERE tenant = 'default' AND type = 'User' ORDER BY id LIMIT ?1)),
          r(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM r WHERE i < 9)
     INSERT INTO journal (seq, tenant, at, actor, request_id, op, resource_type, resource_id, version_before,
                          version_after, changes, compat, cascade, prev_hash, hash, resource_prev_seq)
     SELECT r.i * ?1 + u.k + 1, 'default', strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-' || (?2 - r.i * ?1 - u.k) || ' seconds'),
            'entra', NULL, CASE r.i WHEN 0 THEN 'create' ELSE 'patch' END, 'User', u.id,
            CASE r.i WHEN 0 THEN NULL ELSE r.i END, r.i + 1,
            json_array(json_object('path', 'displayName', 'before', 'Name ' || r.i, 'after', 'Name ' || (r.i + 1))),
            '[]', 0, ?3, ?3, CASE r.i WHEN 0 THEN NULL ELSE (r.i - 1) * ?1 + u.k + 1 END
     FROM r, u ORDER BY 1`,
    [per, n, zero]
  )
  // Each user's newest entry, where its history is read from (src/journal/history-links.ts).
  sqlite.run(
    `UPDATE resources SET journal_seq = j.seq
     FROM (SELECT resource_id, max(seq) AS seq FROM journal GROUP BY resource_id) AS j
     WHERE resources.id = j.resource_id`
  )
  sqlite.run('ANALYZE journal')
  sqlite.close()
  console.log(
    `seeded ${n.toLocaleString('en')} journal entries in ${((performance.now() - started) / 1000).toFixed(1)} s`
  )
}
seedJournal(db, entries)

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

// A user's history: the journal read of its detail page (its entries' links, from its newest), and the page.
const journal = journalData(server.sqlite)
const someone = server.sqlite
  .query<{ id: string }, [number]>('SELECT resource_id AS id FROM journal WHERE seq = ?')
  .get(Math.ceil(entries / 20))!.id
const filter = { tenant: 'default', resourceType: 'User', resourceId: someone }
const shown = (await journal.page(filter)).entries.length
async function history(label: string): Promise<void> {
  const n = Math.min(rounds, 30)
  const times: number[] = []
  for (let i = 0; i < n + 3; i++) {
    const started = performance.now()
    if ((await journal.page(filter)).entries.length !== shown) throw new Error('the history read changed its answer')
    if (i >= 3) times.push(performance.now() - started)
  }
  times.sort((a, b) => a - b)
  const f = (x: number) => x.toFixed(2).padStart(8)
  console.log(
    `${`history read (${shown} entries) ${label}`.padEnd(44)} p50 ${f(quantile(times, 0.5))} ms  p99 ${f(quantile(times, 0.99))} ms  (${n} reads)`
  )
  await measure(`user page with its history ${label}`, `/admin/user?id=${someone}`, n)
}
console.log(`journal: ${entries.toLocaleString('en')} entries`)
await history('through its links')
server.store.close()
