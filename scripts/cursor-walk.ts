// Checks RFC 9865 cursor paging at scale: a walk over N users (default 1,000,000) while another
// client deletes, renames and creates users returns every user that existed throughout exactly once.
// Usage: bun run scripts/cursor-walk.ts [--users N] [--bin ./scim-server]; traffic goes to 127.0.0.1 only.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { freshPort, startServer, stopServer } from './bench-lib/proc'
import { call, seedUsers, type Api } from './bench-lib/seed'

const { values } = parseArgs({
  options: {
    users: { type: 'string', default: '1000000' },
    bin: { type: 'string', default: './scim-server' },
    count: { type: 'string', default: '1000' },
  },
})
const users = Number(values.users)
const pageSize = Number(values.count)
const tmp = mkdtempSync(join(tmpdir(), 'scim-cursor-walk-'))
const port = freshPort()
const token = `walk-${crypto.randomUUID()}`
const server = await startServer({
  name: 'scim',
  cmd: [
    values.bin,
    'serve',
    '--host',
    '127.0.0.1',
    '--port',
    String(port),
    '--db',
    join(tmp, 'walk.db'),
    '--token',
    token,
    '--durability',
    'normal',
  ],
  port,
  core: 1,
  tmp,
})
const api: Api = { base: `http://127.0.0.1:${port}/scim/v2`, token }
try {
  const seeded = await seedUsers(api, 0, users, { concurrency: 32 })
  console.log(`seeded ${users.toLocaleString('en')} users at ${Math.round(seeded.rate).toLocaleString('en')}/s`)
  // Every 7th seeded user is deleted during the walk, every 11th renamed (its userName order moves).
  const doomed = seeded.ids.filter((_, i) => i % 7 === 3)
  const renamed = seeded.ids.filter((_, i) => i % 11 === 5)
  const survivors = new Set(seeded.ids.filter((_, i) => i % 7 !== 3))
  let walking = true
  let writes = 0
  const writer = (async () => {
    let k = 0
    while (walking) {
      const id = doomed[k % doomed.length]!
      await call(api, 'DELETE', `/Users/${id}`, undefined, [204, 404])
      const r = renamed[k % renamed.length]!
      const patch = {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'replace', path: 'userName', value: `renamed-${k}-${r}@example.com` }],
      }
      await call(api, 'PATCH', `/Users/${r}`, JSON.stringify(patch))
      await call(
        api,
        'POST',
        '/Users',
        JSON.stringify({
          schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
          userName: `walk-new-${k}@example.com`,
        }),
        [201]
      )
      writes += 3
      k++
    }
  })()
  const seen = new Map<string, number>()
  const started = performance.now()
  let cursor = ''
  let pages = 0
  do {
    const res = await call(api, 'GET', `/Users?cursor=${encodeURIComponent(cursor)}&count=${pageSize}&attributes=id`)
    const page = JSON.parse(res.text) as { nextCursor?: string; Resources: { id: string }[] }
    for (const r of page.Resources) seen.set(r.id, (seen.get(r.id) ?? 0) + 1)
    cursor = page.nextCursor ?? ''
    pages++
  } while (cursor !== '')
  const seconds = (performance.now() - started) / 1000
  walking = false
  await writer
  const missing = [...survivors].filter((id) => !seen.has(id))
  const twice = [...seen].filter(([, n]) => n > 1)
  console.log(
    `walked ${pages} pages of ${pageSize} in ${seconds.toFixed(1)} s beside ${writes} concurrent writes; ${seen.size.toLocaleString('en')} users seen`
  )
  console.log(`survivors missing: ${missing.length}; seen twice: ${twice.length}`)
  if (missing.length > 0 || twice.length > 0) process.exitCode = 1
} finally {
  await stopServer(server)
  rmSync(tmp, { recursive: true, force: true })
}
