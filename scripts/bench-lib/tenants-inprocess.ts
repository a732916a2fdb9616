// In-process CPU per request with N tenants of M users against one tenant of N×M, through app.handle().
// Usage: bun run scripts/bench-lib/tenants-inprocess.ts [--tenants 50] [--users 10000] [--blocks 20]
//          [--warm 20] [--only get|filter|patch] [--alone many|one] [--journal on|off] [--dir DIR]
//          [--in-flight 1] [--frames]
// Both databases are seeded once into DIR (kept: later runs reuse them), then served as the
// binary serves them (durability full; no request lines, as at --log-level warn). Requests are
// spread as tenants.lua spreads them: random picks from a sample of 20,000 (tenant, user) pairs.
// Blocks of 2,000 requests alternate between the two servers, so a busy machine slows both alike;
// medians of the blocks. --alone serves one of the two only, for `bun --cpu-prof` of each.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createTenant } from '../../src/tenants/create'
import { createScimServer } from '../../src/server'
import { userBody, userName } from './seed'

function arg(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`)
  return at > 0 ? process.argv[at + 1]! : fallback
}

const tenantCount = Number(arg('tenants', '50'))
const users = Number(arg('users', '10000'))
const blocks = Number(arg('blocks', '20'))
/** Blocks first served and not counted: the page caches warm up over ~100,000 random reads. */
const warm = Number(arg('warm', '20'))
const only = arg('only', '')
/** `many` or `one`: serve only that setup (to profile it alone). */
const alone = arg('alone', '')
const dir = arg('dir', '/tmp/scim-tenants-inprocess')
/** `off` serves both without the journal (SCIM_JOURNAL=off), to tell the journal's share of a write from the rest. */
const journaling = arg('journal', 'on') !== 'off'
const BLOCK = 2000
/** Requests sent at once: 1 as before; 32 lets a write batch hold PATCHes of many tenants, as wrk's connections do. */
const inFlight = Number(arg('in-flight', '1'))
const SAMPLE = 20_000
/** Count the WAL frames (whole pages) each request writes: no checkpoint inside a block, one before it. */
const frames = process.argv.includes('--frames')
const ORIGIN = 'http://127.0.0.1:8080'

interface Seeded {
  tokens: string[]
  ids: string[][]
}

/** `count` tenants t0… of `each` users, seeded through the app (group-committed, durability normal). */
async function seed(count: number, each: number): Promise<{ db: string; seeded: Seeded }> {
  const db = `${dir}/${count}x${each}.db`
  const meta = `${db}.json`
  if (existsSync(meta)) return { db, seeded: JSON.parse(readFileSync(meta, 'utf8')) as Seeded }
  mkdirSync(dir, { recursive: true })
  const tmp = `${db}.tmp`
  rmSync(tmp, { force: true })
  const server = createScimServer({ db: tmp, durability: 'normal', journaling: true })
  const tokens: string[] = []
  for (let t = 0; t < count; t++)
    tokens.push(createTenant(server.sqlite, { name: `t${t}`, packs: [], schemas: [], settings: {} }))
  server.tenantsChanged()
  const ids: string[][] = tokens.map(() => [])
  for (let t = 0; t < count; t++) {
    for (let at = 0; at < each; at += 500) {
      const batch = []
      for (let i = at; i < Math.min(each, at + 500); i++) {
        const init = {
          method: 'POST',
          headers: { authorization: `Bearer ${tokens[t]}`, 'content-type': 'application/scim+json' },
          body: userBody(i),
        }
        batch.push(server.app.handle(new Request(`${ORIGIN}/tenants/t${t}/scim/v2/Users`, init)))
      }
      for (const response of await Promise.all(batch)) {
        if (response.status !== 201) throw new Error(`seed: ${response.status} ${await response.text()}`)
        ids[t]!.push(((await response.json()) as { id: string }).id)
      }
    }
  }
  server.store.close()
  for (const suffix of ['', '-wal', '-shm']) if (existsSync(tmp + suffix)) renameSync(tmp + suffix, db + suffix)
  const seeded = { tokens, ids }
  writeFileSync(meta, JSON.stringify(seeded))
  console.error(`seeded ${count} × ${each}`)
  return { db, seeded }
}

interface Subject {
  label: string
  app: { handle(request: Request): Promise<Response> }
  seeded: Seeded
  stats(): { lookupHits: number; lookupMisses: number }
  /** Empties the WAL (a checkpoint outside the measured block) and returns a reader of its frames. */
  walFrames(): () => number
  close(): void
}

/** A WAL frame: a 24-byte header and one page; the file starts with a 32-byte header. */
const frameCount = (walPath: string, pageSize: number) => () =>
  existsSync(walPath) ? Math.max(0, (statSync(walPath).size - 32) / (pageSize + 24)) : 0

async function open(label: string, count: number, each: number): Promise<Subject> {
  const { db, seeded } = await seed(count, each)
  const server = createScimServer({ db, durability: 'full', journaling })
  const pageSize = (server.sqlite.query('PRAGMA page_size').get() as { page_size: number }).page_size
  const walFrames = () => {
    server.sqlite.run('PRAGMA wal_autocheckpoint = 0')
    server.sqlite.run('PRAGMA wal_checkpoint(TRUNCATE)')
    return frameCount(`${db}-wal`, pageSize)
  }
  return {
    label,
    app: server.app,
    seeded,
    stats: () => server.store.stats(),
    walFrames,
    close: () => server.store.close(),
  }
}

/** Entra's deactivate with a familyName no earlier request sent: a PATCH that changes nothing writes nothing. */
const run = Math.floor(Math.random() * 1e9)
let patches = 0
const patchBody = () =>
  JSON.stringify({
    schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
    Operations: [
      { op: 'Replace', path: 'active', value: 'False' },
      { op: 'Replace', path: 'name.familyName', value: `X${run}-${++patches}` },
    ],
  })

type Pick = { t: number; i: number }
const scenarios = [
  {
    name: 'get',
    request: (s: Subject, { t, i }: Pick) =>
      new Request(`${ORIGIN}/tenants/t${t}/scim/v2/Users/${s.seeded.ids[t]![i]}`, {
        headers: { authorization: `Bearer ${s.seeded.tokens[t]}` },
      }),
  },
  {
    name: 'filter',
    request: (s: Subject, { t, i }: Pick) =>
      new Request(`${ORIGIN}/tenants/t${t}/scim/v2/Users?filter=userName+eq+%22${encodeURIComponent(userName(i))}%22`, {
        headers: { authorization: `Bearer ${s.seeded.tokens[t]}` },
      }),
  },
  {
    name: 'patch',
    request: (s: Subject, { t, i }: Pick) =>
      new Request(`${ORIGIN}/tenants/t${t}/scim/v2/Users/${s.seeded.ids[t]![i]}`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${s.seeded.tokens[t]}`, 'content-type': 'application/scim+json' },
        body: patchBody(),
      }),
  },
].filter((s) => only === '' || s.name === only)

/** The wrk script's spread: a fixed sample of pairs, picked at random. */
function sampleOf(s: Subject): Pick[] {
  const count = s.seeded.tokens.length
  const each = s.seeded.ids[0]!.length
  return Array.from({ length: SAMPLE }, () => ({
    t: Math.floor(Math.random() * count),
    i: Math.floor(Math.random() * each),
  }))
}

/** Wall-clock µs a request of each block, per setup: CPU time leaves out waits for the disk. */
const walls = new Map<string, number[]>()
/** WAL frames a request of each block, per setup (with --frames). */
const framesOf = new Map<string, number[]>()

async function block(s: Subject, sample: Pick[], make: (s: Subject, p: Pick) => Request): Promise<number> {
  const readFrames = frames ? s.walFrames() : undefined
  const before = process.cpuUsage()
  const started = performance.now()
  const wall = walls.get(s.label) ?? []
  walls.set(s.label, wall)
  let sent = 0
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (sent++ < BLOCK) {
        const response = await s.app.handle(make(s, sample[Math.floor(Math.random() * sample.length)]!))
        if (response.status !== 200) throw new Error(`${s.label}: ${response.status} ${await response.text()}`)
        await response.arrayBuffer()
      }
    })
  )
  const used = process.cpuUsage(before)
  wall.push(((performance.now() - started) * 1000) / BLOCK)
  if (readFrames) framesOf.set(s.label, [...(framesOf.get(s.label) ?? []), readFrames() / BLOCK])
  return (used.user + used.system) / BLOCK
}

const subjects = [
  await open(`${tenantCount}×${users}`, tenantCount, users),
  await open(`1×${tenantCount * users}`, 1, tenantCount * users),
]
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
for (const scenario of scenarios) {
  const samples = subjects.map(() => [] as number[])
  const lists = subjects.map(sampleOf)
  let before = subjects.map((s) => s.stats())
  for (let b = 0; b < blocks + warm; b++) {
    if (b === warm) before = subjects.map((s) => s.stats())
    const order = b % 2 === 0 ? [0, 1] : [1, 0]
    for (const i of order) {
      if ((alone === 'many' && i !== 0) || (alone === 'one' && i !== 1)) continue
      const us = await block(subjects[i]!, lists[i]!, scenario.request)
      if (b >= warm) samples[i]!.push(us)
    }
  }
  const [many, one] = samples.map((xs) => (xs.length ? median(xs) : Number.NaN)) as [number, number]
  const hits = subjects.map((s, i) => {
    const now = s.stats()
    const h = now.lookupHits - before[i]!.lookupHits
    const m = now.lookupMisses - before[i]!.lookupMisses
    return h + m === 0 ? '' : ` (lookup hits ${((100 * h) / (h + m)).toFixed(0)} %)`
  })
  const wallOf = (s: Subject) => {
    const xs = walls.get(s.label)?.slice(-blocks) ?? []
    walls.delete(s.label)
    return xs.length ? median(xs) : Number.NaN
  }
  const [wallMany, wallOne] = subjects.map(wallOf) as [number, number]
  if (frames) {
    const [fMany, fOne] = subjects.map((s) => median(framesOf.get(s.label)?.slice(-blocks) ?? [Number.NaN]))
    for (const s of subjects) framesOf.delete(s.label)
    console.error(`        WAL frames: ${fMany!.toFixed(2)} against ${fOne!.toFixed(2)} a request`)
  }
  console.error(
    `        wall-clock: ${wallMany.toFixed(1)} µs against ${wallOne.toFixed(1)} µs a request (${(wallMany / wallOne).toFixed(2)}×)`
  )
  console.error(
    `${scenario.name.padEnd(7)} ${subjects[0]!.label}: ${many.toFixed(1)} µs${hits[0]}  ${subjects[1]!.label}: ${one.toFixed(1)} µs${hits[1]}  CPU ratio ${(many / one).toFixed(2)}× (req/s ${(one / many).toFixed(2)}×)`
  )
}
for (const s of subjects) s.close()
