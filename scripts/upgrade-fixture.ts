// Writes tests/fixtures/upgrade/: a database made by an older release's binary (users with a manager,
// groups with members, a pack extension, a token) and every resource as that binary served it.
// Usage: bun scripts/upgrade-fixture.ts OLD_BINARY   (built from 3a73d55, the release before tenants)
import { Database } from 'bun:sqlite'
import { mkdirSync, rmSync } from 'node:fs'
import { join, resolve } from 'node:path'

const [bin] = process.argv.slice(2)
if (!bin) throw new Error('usage: bun scripts/upgrade-fixture.ts OLD_BINARY')
const out = resolve(import.meta.dir, '../tests/fixtures/upgrade')
/** Fixed, so meta.location is the same whichever port either binary listens on. */
export const BASE_URL = 'https://scim.example/scim/v2'
const PACK = 'alertmedia'
const URN_USER = 'urn:ietf:params:scim:schemas:core:2.0:User'
const URN_GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group'
const URN_ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'
const URN_PACK = 'urn:ietf:params:scim:schemas:extension:alertmedia:2.0:CustomAttribute:User'

rmSync(out, { recursive: true, force: true })
mkdirSync(out, { recursive: true })
const db = join(out, 'scim.db')
const port = 20000 + Math.floor(Math.random() * 20000)
const proc = Bun.spawn(
  [
    bin,
    'serve',
    '--db',
    db,
    '--port',
    String(port),
    '--host',
    '127.0.0.1',
    '--schema-pack',
    PACK,
    '--base-url',
    BASE_URL,
  ],
  { stdout: 'pipe', stderr: 'inherit' }
)
let printed = ''
const decoder = new TextDecoder()
// Read to the end (the request log goes to stdout too): a full pipe would stop the server.
void (async () => {
  for await (const chunk of proc.stdout) printed += decoder.decode(chunk)
})()
while (!printed.includes('Database:')) {
  if (proc.exitCode !== null) throw new Error(`the old binary exited:\n${printed}`)
  await Bun.sleep(20)
}
const token = /Secret Token: (\S+)/.exec(printed)?.[1]
if (!token) throw new Error(`no token printed:\n${printed}`)
const origin = `http://127.0.0.1:${port}`
const call = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${origin}/scim/v2${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`)
  return (await res.json()) as { id: string }
}

const boss = await call('POST', '/Users', {
  schemas: [URN_USER, URN_ENTERPRISE, URN_PACK],
  userName: 'boss@example.com',
  externalId: 'ext-boss',
  name: { givenName: 'Bo', familyName: 'Ss' },
  emails: [{ value: 'boss@example.com', type: 'work', primary: true }],
  [URN_ENTERPRISE]: { department: 'Sales', employeeNumber: '1' },
  [URN_PACK]: { Mobile: '+46700000001' },
})
const users = [boss]
for (const n of [2, 3]) {
  users.push(
    await call('POST', '/Users', {
      schemas: [URN_USER, URN_ENTERPRISE],
      userName: `report${n}@example.com`,
      displayName: `Réport ${n}`,
      active: n === 2,
      [URN_ENTERPRISE]: { manager: { value: boss.id }, department: 'Sales' },
    })
  )
}
const groups = [
  await call('POST', '/Groups', {
    schemas: [URN_GROUP],
    displayName: 'Sales',
    members: users.map((u) => ({ value: u.id })),
  }),
  await call('POST', '/Groups', { schemas: [URN_GROUP], displayName: 'Empty', externalId: 'ext-empty' }),
]
// A PATCH too, so versions and lastModified differ from creation.
await call('PATCH', `/Users/${users[2]!.id}`, {
  schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
  Operations: [{ op: 'replace', path: 'title', value: 'Rep' }],
})

const paths = [
  ...users.map((u) => `/Users/${u.id}`),
  ...groups.map((g) => `/Groups/${g.id}`),
  '/Users?sortBy=userName',
  '/Groups?sortBy=displayName',
]
const served: Record<string, { etag: string | null; body: string }> = {}
for (const path of paths) {
  const res = await fetch(`${origin}/scim/v2${path}`, { headers: { authorization: `Bearer ${token}` } })
  served[path] = { etag: res.headers.get('etag'), body: await res.text() }
}
proc.kill('SIGTERM')
await proc.exited
// One self-contained file: the WAL folded in, no -wal or -shm beside it.
const sqlite = new Database(db)
sqlite.run('PRAGMA journal_mode = DELETE')
sqlite.close()
rmSync(`${db}-lock`, { force: true })
await Bun.write(
  join(out, 'served.json'),
  `${JSON.stringify({ release: '3a73d55', pack: PACK, baseUrl: BASE_URL, token, served }, null, 2)}\n`
)
console.log(`wrote ${db} and served.json (${paths.length} answers)`)
