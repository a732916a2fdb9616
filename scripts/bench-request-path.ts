// In-process CPU per request of the two hot reads (GET by id, filter userName eq) through app.handle().
// Usage: bun run scripts/bench-request-path.ts [--against DIR]... [--users N] [--blocks N] [--log info|error|none] >/dev/null
// Each --against is another checkout (its src/ is loaded beside this one's, on the same database):
// blocks of 2,000 requests alternate between them, so a busy machine slows all alike. The request
// log goes to standard output as in the binary (hence >/dev/null); results go to stderr. Source
// runs freeze parsed documents (src/scim/document-text.ts), which the release build does not.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

function arg(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`)
  return at > 0 ? process.argv[at + 1]! : fallback
}

const users = Number(arg('users', '10000'))
const blocks = Number(arg('blocks', '40'))
const log = arg('log', 'info')
const roots = [resolve(import.meta.dir, '..')]
process.argv.forEach((a, i) => {
  if (a === '--against') roots.push(resolve(process.argv[i + 1]!))
})
const BLOCK = 2000
const TOKEN = 'bench-request-path-token'
const ORIGIN = 'http://127.0.0.1:8080'
const headers = { authorization: `Bearer ${TOKEN}`, accept: 'application/scim+json' }
const dir = mkdtempSync(join(tmpdir(), 'scim-bench-path-'))
const db = join(dir, 'bench.db')

interface Subject {
  root: string
  app: { handle(request: Request): Promise<Response> }
  close(): void
}

async function open(root: string): Promise<Subject> {
  const { hashToken } = await import(`${root}/src/auth/tokens.ts`)
  const { createScimServer } = await import(`${root}/src/server.ts`)
  const { createLogger } = await import(`${root}/src/log/logger.ts`)
  const logger =
    log === 'none' ? undefined : createLogger({ format: 'json', level: log === 'error' ? 'error' : 'info' })
  const server = createScimServer({ db, durability: 'full', tokenHashes: [hashToken(TOKEN)], logger })
  return { root, app: server.app, close: () => server.store.close() }
}

// Seeded through a server of its own, so that no subject starts with the caches its writes left.
const seeder = await open(roots[0]!)

const ids: string[] = []
const names: string[] = []
for (let at = 0; at < users; at += 500) {
  const batch = []
  for (let i = at; i < Math.min(users, at + 500); i++) {
    const body = JSON.stringify({
      userName: `user${i}@example.com`,
      active: true,
      emails: [{ value: `u${i}@x`, type: 'work' }],
    })
    const init = { method: 'POST', headers: { ...headers, 'content-type': 'application/scim+json' }, body }
    batch.push(seeder.app.handle(new Request(`${ORIGIN}/scim/v2/Users`, init)))
  }
  for (const response of await Promise.all(batch)) {
    const user = (await response.json()) as { id: string; userName: string }
    ids.push(user.id)
    names.push(encodeURIComponent(user.userName))
  }
}

seeder.close()
const subjects: Subject[] = []
for (const root of roots) subjects.push(await open(root))

const scenarios = [
  { name: 'GET /Users/{id}', url: (i: number) => `${ORIGIN}/scim/v2/Users/${ids[i % ids.length]}` },
  {
    name: 'GET filter userName eq',
    url: (i: number) => `${ORIGIN}/scim/v2/Users?filter=userName+eq+%22${names[i % names.length]}%22`,
  },
]

/** CPU microseconds a request over one block of sequential requests. */
async function block(subject: Subject, url: (i: number) => string, from: number): Promise<number> {
  const before = process.cpuUsage()
  for (let i = 0; i < BLOCK; i++) {
    const response = await subject.app.handle(new Request(url((from + i) * 7919), { headers }))
    if (response.status !== 200) throw new Error(`${subject.root}: ${response.status}`)
    await response.arrayBuffer()
  }
  const used = process.cpuUsage(before)
  return (used.user + used.system) / BLOCK
}

const quantile = (sorted: number[], q: number) => sorted[Math.floor(q * (sorted.length - 1))]!
for (const scenario of scenarios) {
  const samples = subjects.map(() => [] as number[])
  const warmUp = 4
  for (let b = 0; b < blocks + warmUp; b++) {
    // Alternating order, so neither side always runs right after the other.
    const order = b % 2 === 0 ? subjects.map((_, i) => i) : subjects.map((_, i) => subjects.length - 1 - i)
    for (const i of order) {
      const us = await block(subjects[i]!, scenario.url, b * BLOCK)
      if (b >= warmUp) samples[i]!.push(us)
    }
  }
  for (const [i, subject] of subjects.entries()) {
    const sorted = [...samples[i]!].sort((a, b) => a - b)
    console.error(
      `${scenario.name.padEnd(24)} ${subject.root.padEnd(28)} p10 ${quantile(sorted, 0.1).toFixed(2)}  median ${quantile(sorted, 0.5).toFixed(2)} µs CPU a request`
    )
  }
}
for (const subject of subjects) subject.close()
rmSync(dir, { recursive: true, force: true })
