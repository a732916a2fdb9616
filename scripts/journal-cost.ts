// In-process CPU per write with the journal on and off: durable POST /Users and Entra's user PATCH.
// Usage: bun run scripts/journal-cost.ts [--rounds 9] [--requests 4000] [--durability normal|full] [--only post|patch]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { hashToken } from '../src/auth/tokens'
import { createScimServer, type ScimServer } from '../src/server'
import type { Durability } from '../src/store/durability'

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '9' },
    requests: { type: 'string', default: '4000' },
    durability: { type: 'string', default: 'normal' },
    only: { type: 'string' },
    // One side only, to profile it (--cpu-prof) against the other.
    journal: { type: 'string', default: 'both' },
  },
})
const rounds = Number(values.rounds)
const requests = Number(values.requests)
const durability = values.durability as Durability
const IN_FLIGHT = 32
const TOKEN = 'bench-token'
const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/scim+json; charset=utf-8' }
// The bodies scripts/bench-lib/post-user.lua and patch-user.lua send.
// The family name differs on every request, so no PATCH is a no-op (those write nothing).
function patchBody(i: number): string {
  return JSON.stringify({
    schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
    Operations: [
      { op: 'Replace', path: 'active', value: i % 2 === 0 ? 'False' : 'True' },
      { op: 'Replace', path: 'name.familyName', value: `X${i}` },
    ],
  })
}
function userBody(name: string): string {
  return JSON.stringify({
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    userName: `${name}@example.com`,
    externalId: `x${name}`,
    active: true,
    name: { givenName: 'Bench', familyName: 'Writer' },
    emails: [{ value: `${name}@example.com`, type: 'work', primary: true }],
    'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { department: 'Sales' },
  })
}

interface Subject {
  name: string
  server: ScimServer
  ids: string[]
  sent: number
}

const dir = mkdtempSync(join(tmpdir(), 'journal-cost-'))
function subject(name: string, journaling: boolean): Subject {
  const server = createScimServer({
    db: join(dir, `${name}.db`),
    durability,
    journaling,
    tokenHashes: [hashToken(TOKEN)],
  })
  return { name, server, ids: [], sent: 0 }
}

async function send(s: Subject, method: string, path: string, body: string): Promise<Response> {
  const res = await s.server.app.handle(new Request(`http://localhost/scim/v2${path}`, { method, headers, body }))
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`)
  return res
}

async function post(s: Subject): Promise<void> {
  const res = await send(s, 'POST', '/Users', userBody(`${s.name}-${s.sent++}`))
  s.ids.push(((await res.json()) as { id: string }).id)
}

async function patch(s: Subject, i: number): Promise<void> {
  await send(s, 'PATCH', `/Users/${s.ids[(i * 7919) % s.ids.length]}`, patchBody(s.sent++))
}

/**
 * Bytes this process handed to write(2) so far: WAL frames and checkpoints, whole pages. Unlike
 * CPU time it hardly moves when the machine is busy, and a durable commit waits for them.
 */
function written(): number {
  return Number(/wchar: (\d+)/.exec(readFileSync('/proc/self/io', 'utf8'))?.[1] ?? Number.NaN)
}

/** CPU µs and bytes written per request over `n` requests, IN_FLIGHT at a time. */
async function measure(n: number, one: (i: number) => Promise<void>): Promise<{ us: number; bytes: number }> {
  let next = 0
  const bytes = written()
  const start = process.cpuUsage()
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < n) await one(next++)
    })
  )
  const used = process.cpuUsage(start)
  return { us: (used.user + used.system) / n, bytes: (written() - bytes) / n }
}

const on = subject('on', true)
const off = subject('off', false)
const sides = values.journal === 'on' ? [on] : values.journal === 'off' ? [off] : [on, off]
const kinds = values.only ? [values.only] : ['post', 'patch']
const results: Record<string, { on: number[]; off: number[] }> = {}
const bytes: Record<string, { on: number[]; off: number[] }> = {}
for (const kind of kinds) {
  results[kind] = { on: [], off: [] }
  bytes[kind] = { on: [], off: [] }
}
// Warm both (JIT, caches) and give PATCH users to change.
for (const s of sides) await measure(requests, () => post(s))
for (let r = 0; r < rounds; r++) {
  // Alternate which goes first: the machine is shared and drifts.
  const order = r % 2 === 0 ? sides : [...sides].reverse()
  for (const kind of kinds)
    for (const s of order) {
      const m = await measure(requests, kind === 'post' ? () => post(s) : (i) => patch(s, i))
      results[kind]![s === on ? 'on' : 'off'].push(m.us)
      bytes[kind]![s === on ? 'on' : 'off'].push(m.bytes)
    }
}
const min = (xs: number[]) => Math.min(...xs)
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
console.log(`durability ${durability}, ${rounds} rounds of ${requests} requests, ${IN_FLIGHT} in flight`)
for (const kind of kinds) {
  const { on: a, off: b } = results[kind]!
  if (a.length === 0 || b.length === 0) {
    console.log(
      `${kind.padEnd(5)} ${values.journal} min ${min([...a, ...b]).toFixed(1)} µs median ${median([...a, ...b]).toFixed(1)}`
    )
    continue
  }
  console.log(
    `${kind.padEnd(5)} off min ${min(b).toFixed(1)} µs median ${median(b).toFixed(1)} | on min ${min(a).toFixed(1)} µs median ${median(a).toFixed(1)} | off÷on min ${(min(b) / min(a)).toFixed(3)}× median ${(median(b) / median(a)).toFixed(3)}×`
  )
  const w = bytes[kind]!
  console.log(
    `${''.padEnd(5)} bytes written per request (median): off ${median(w.off).toFixed(0)} | on ${median(w.on).toFixed(0)}`
  )
}
on.server.store.close()
off.server.store.close()
rmSync(dir, { recursive: true, force: true })
