// scripts/bench --tenants 1,50 [--users 10000] [--warm S]: the same binary serving N tenants of M users
// each, requests spread over the tenants, every setup measured round by round in the same run.
// Each setup has its own bare baseline (tenants-baseline.ts) holding the very same rows, measured
// right beside it, so each setup's ratio to its baseline leaves out what the data's size costs
// any SQLite server: the target holds 50 tenants' ratio to within 5 % of one tenant's (≥ 0.95).
// The raw req/s ratios stay in the table: each setup over the first, and over a control that
// serves one tenant holding as many users as the largest count holds in all (the same rows).
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import {
  assertAlive,
  drain,
  freshPort,
  rssMb,
  startServer,
  stopServer,
  type Server,
  runCommand,
  optionReader,
  serveArgs,
} from './proc'
import { call, userBody, userName, type Api } from './seed'
import { runWrk } from './wrk'

interface Options {
  counts: number[]
  users: number
  rounds: number
  seconds: number
  /** Seconds of load before each measured run, unrecorded: the page caches fill on random reads. */
  warm: number
  bin: string
  tmp: string
  outDir: string
  libDir: string
}

function parse(argv: string[]): Options {
  const value = optionReader(argv)
  const root = new URL('../..', import.meta.url).pathname.replace(/\/$/, '')
  const counts = value('tenants').split(',').map(Number)
  if (counts.some((n) => !Number.isInteger(n) || n < 1)) throw new Error('--tenants wants positive integers, e.g. 1,50')
  return {
    counts,
    users: Number(value('users', '10000')),
    rounds: Number(value('rounds', '3')),
    seconds: Number(value('seconds', '5')),
    warm: Number(value('warm', '2')),
    bin: value('bin'),
    tmp: value('tmp'),
    outDir: value('out', `${root}/bench-results`),
    libDir: `${root}/scripts/bench-lib`,
  }
}

const o = parse(process.argv.slice(2))
const SERVER_CORE = 1
const LOAD_CORE = 0
/** Lines per wrk list: a sample of (tenant, user) pairs, small enough for wrk to load at once. */
const SAMPLE = 20_000

interface Setup {
  label: string
  count: number
  users: number
  server: Server
  /** The bare server over a copy of this setup's rows. */
  baseline: Server
  /** The server's --metrics-listen port: its lookup cache counters. */
  metricsPort: number
  dir: string
  tokens: string[]
  ids: string[][]
}

/** A database of `count` tenants t0…t<count-1> (added with `tenant add`), each seeded with o.users users over HTTP. */
async function prepare(count: number, users: number): Promise<Setup> {
  const label = `${count}×${users.toLocaleString('en')}`
  const dir = `${o.tmp}/tenants-${count}-${users}`
  mkdirSync(dir, { recursive: true })
  const db = `${dir}/bench.db`
  const tokens: string[] = []
  for (let t = 0; t < count; t++) {
    const out = await runCommand([o.bin, 'tenant', 'add', `t${t}`, '--db', db])
    tokens.push(/Secret Token: (\S+)/.exec(out)![1]!)
  }
  const port = freshPort()
  const metricsPort = freshPort()
  const server = await startServer({
    name: `scim-tenants-${count}-${users}`,
    port,
    core: SERVER_CORE,
    tmp: o.tmp,
    cmd: [...serveArgs(o.bin, port, db), '--log-level', 'warn', '--metrics-listen', String(metricsPort)],
  })
  const ids: string[][] = tokens.map(() => new Array<string>(users))
  const started = performance.now()
  const work = tokens.flatMap((_, t) => Array.from({ length: users }, (_, i) => [t, i] as const))
  let next = 0
  await Promise.all(
    Array.from({ length: 48 }, async () => {
      while (next < work.length) {
        const [t, i] = work[next++]!
        const api: Api = { base: `http://127.0.0.1:${port}/tenants/t${t}/scim/v2`, token: tokens[t]! }
        const { text } = await call(api, 'POST', '/Users', userBody(i), [201])
        ids[t]![i] = (JSON.parse(text) as { id: string }).id
      }
    })
  )
  const secs = (performance.now() - started) / 1000
  console.log(`  ${label} (tenants × users) seeded in ${secs.toFixed(0)} s`)
  const baselinePort = freshPort()
  const baseline = await startServer({
    name: `baseline-tenants-${count}-${users}`,
    port: baselinePort,
    core: SERVER_CORE,
    tmp: o.tmp,
    cmd: [
      process.execPath,
      'run',
      `${o.libDir}/tenants-baseline.ts`,
      '--port',
      String(baselinePort),
      '--db',
      `${dir}/baseline.db`,
      '--from',
      db,
    ],
  })
  return { label, count, users, server, baseline, metricsPort, dir, tokens, ids }
}

/** Hits and misses of a server's lookup cache since it started (GET /metrics on --metrics-listen). */
async function lookupCounters(s: Setup): Promise<{ hits: number; misses: number }> {
  const text = await (await fetch(`http://127.0.0.1:${s.metricsPort}/metrics`)).text()
  const counter = (name: string) => Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1] ?? Number.NaN)
  return { hits: counter('scim_lookup_cache_hits_total'), misses: counter('scim_lookup_cache_misses_total') }
}

const SCENARIOS = [
  {
    id: 'read.get-id',
    method: 'GET',
    path: (t: number, i: number, s: Setup) => `/tenants/t${t}/scim/v2/Users/${s.ids[t]![i]}`,
  },
  {
    id: 'read.filter-eq',
    method: 'GET',
    path: (t: number, i: number) =>
      `/tenants/t${t}/scim/v2/Users?filter=userName+eq+%22${encodeURIComponent(userName(i))}%22`,
  },
  {
    id: 'write.patch',
    method: 'PATCH',
    path: (t: number, i: number, s: Setup) => `/tenants/t${t}/scim/v2/Users/${s.ids[t]![i]}`,
  },
] as const

/**
 * The request list of a setup's scenario, drawn once and sent in every round, to the server and
 * to its baseline alike. A fresh draw each round had every round of a 500,000-user setup look up
 * 20,000 names it had mostly never seen: the lookup cache admits a key on its second miss, so it
 * answered half of them, while one tenant of 10,000 kept seeing the same names (hits ~100 %), and
 * the figure measured how much of the sample the cache had seen, not what tenants cost.
 */
function listFor(s: Setup, scenario: (typeof SCENARIOS)[number]): string {
  const file = `${s.dir}/${scenario.id}.txt`
  if (existsSync(file)) return file
  const lines: string[] = []
  for (let k = 0; k < SAMPLE; k++) {
    const t = Math.floor(Math.random() * s.count)
    const i = Math.floor(Math.random() * s.users)
    lines.push(`${s.tokens[t]} ${scenario.path(t, i, s)}`)
  }
  writeFileSync(file, `${lines.join('\n')}\n`)
  return file
}

console.log(
  `bench --tenants: ${o.counts.join(' and ')} tenant(s) × ${o.users.toLocaleString('en')} users, ${o.rounds} round(s) of ${o.seconds} s`
)
const setups: Setup[] = []
type Target = 'server' | 'baseline'
const results: {
  scenario: string
  label: string
  target: Target
  round: number
  rps: number
  p99Ms: number
  non2xx: number
  /** The server's lookup cache over the measured run: hits / (hits + misses). */
  hitRatio?: number
}[] = []
/** The setups in a different order each round, so none always runs first or after the same one. */
const rotated = <T>(xs: readonly T[], by: number) => xs.map((_, i) => xs[(i + by) % xs.length]!)
try {
  for (const count of o.counts) setups.push(await prepare(count, o.users))
  const most = Math.max(...o.counts)
  if (most > 1) setups.push(await prepare(1, most * o.users))
  for (let round = 1; round <= o.rounds; round++) {
    for (const scenario of SCENARIOS) {
      for (const s of rotated(setups, round - 1)) {
        // The same request list for the server and its baseline; which of the two goes first alternates.
        const list = listFor(s, scenario)
        const targets: Target[] = round % 2 === 1 ? ['server', 'baseline'] : ['baseline', 'server']
        for (const target of targets) {
          const proc = target === 'server' ? s.server : s.baseline
          const measure = (seconds: number) =>
            runWrk({
              url: `http://127.0.0.1:${proc.port}`,
              script: 'tenants.lua',
              seconds,
              connections: 32,
              core: LOAD_CORE,
              libDir: o.libDir,
              pidFile: `${o.tmp}/pids`,
              env: {
                BENCH_TOKEN: 'unused',
                BENCH_LIST: list,
                BENCH_METHOD: scenario.method,
                // Each run picks other pairs and sends other values: a PATCH repeated changes nothing.
                BENCH_SEED: String(Math.floor(Math.random() * 1e9)),
              },
            })
          if (o.warm > 0) await measure(o.warm)
          await drain(proc)
          const counted = target === 'server' ? await lookupCounters(s) : undefined
          const r = await measure(o.seconds)
          assertAlive(proc)
          await drain(proc)
          let hitRatio: number | undefined
          if (counted) {
            const now = await lookupCounters(s)
            const hits = now.hits - counted.hits
            const lookups = hits + now.misses - counted.misses
            hitRatio = lookups > 0 ? hits / lookups : undefined
          }
          results.push({
            scenario: scenario.id,
            label: s.label,
            target,
            round,
            rps: r.rps,
            p99Ms: r.p99Ms,
            non2xx: r.non2xx,
            hitRatio,
          })
          console.log(
            `  round ${round} ${scenario.id} @ ${s.label} ${target}: ${Math.round(r.rps).toLocaleString('en')} req/s, p99 ${r.p99Ms.toFixed(1)} ms${hitRatio === undefined ? '' : `, lookup hits ${(100 * hitRatio).toFixed(0)} %`}${r.non2xx ? `, ${r.non2xx} non-2xx` : ''}`
          )
        }
      }
    }
  }
} finally {
  for (const s of setups) {
    console.log(
      `  RSS @ ${s.label}: ${rssMb(s.server.pid).toFixed(0)} MB (baseline ${rssMb(s.baseline.pid).toFixed(0)} MB)`
    )
    await stopServer(s.server)
    await stopServer(s.baseline)
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const of = (scenario: string, label: string, target: Target, round: number) =>
  results.find((r) => r.scenario === scenario && r.label === label && r.target === target && r.round === round)!.rps
const rounds = Array.from({ length: o.rounds }, (_, i) => i + 1)
/** Per round, the server's req/s over its own baseline's (the same rows, the same requests). */
const vsBaseline = (scenario: string, label: string, round: number) =>
  of(scenario, label, 'server', round) / of(scenario, label, 'baseline', round)
/** Medians of per-round ratios: raw req/s of `label` over `base`'s, or each over its own baseline first. */
const raw = (scenario: string, label: string, base: string) =>
  median(rounds.map((r) => of(scenario, label, 'server', r) / of(scenario, base, 'server', r)))
const fair = (scenario: string, label: string, base: string) =>
  median(rounds.map((r) => vsBaseline(scenario, label, r) / vsBaseline(scenario, base, r)))
const first = setups[0]!.label
const control = setups.length > o.counts.length ? setups[setups.length - 1]!.label : undefined
console.log(
  `\n=== tenants (tenants × users): medians of ${o.rounds} round(s) of ${o.seconds} s (after ${o.warm} s unrecorded each); ratios of per-round req/s in the same round ===`
)
console.log(
  '  ÷ base: the server over its bare baseline holding the same rows; fair ÷ …: that over the same of the first\n' +
    '  setup (the target, ≥ 0.95) and of the control (same rows, one tenant); raw ÷ …: plain req/s over req/s'
)
const summary = []
for (const scenario of SCENARIOS) {
  for (const s of setups) {
    const mine = results.filter((r) => r.scenario === scenario.id && r.label === s.label && r.target === 'server')
    const base = results.filter((r) => r.scenario === scenario.id && r.label === s.label && r.target === 'baseline')
    const hits = mine.flatMap((r) => (r.hitRatio === undefined ? [] : [r.hitRatio]))
    const row = {
      scenario: scenario.id,
      setup: s.label,
      rps: median(mine.map((r) => r.rps)),
      p99Ms: median(mine.map((r) => r.p99Ms)),
      baselineRps: median(base.map((r) => r.rps)),
      vsBaseline: median(rounds.map((r) => vsBaseline(scenario.id, s.label, r))),
      fairVsFirst: fair(scenario.id, s.label, first),
      fairVsControl: control === undefined ? undefined : fair(scenario.id, s.label, control),
      rawVsFirst: raw(scenario.id, s.label, first),
      rawVsControl: control === undefined ? undefined : raw(scenario.id, s.label, control),
      lookupHitRatio: hits.length ? median(hits) : undefined,
      non2xx: [...mine, ...base].reduce((n, r) => n + r.non2xx, 0),
    }
    summary.push(row)
    const verdict =
      s.label === first || s.label === control ? '' : row.fairVsFirst >= 0.95 ? '  PASS (≥ 0.95)' : '  FAIL (< 0.95)'
    const n = (x: number) => Math.round(x).toLocaleString('en').padStart(7)
    const others = (x: number | undefined) => (x === undefined || s.label === control ? '' : x.toFixed(3))
    console.log(
      `${scenario.id.padEnd(15)} ${s.label.padStart(11)}  ${n(row.rps)} req/s  p99 ${row.p99Ms.toFixed(1).padStart(6)} ms  base ${n(row.baselineRps)}  ÷ base ${row.vsBaseline.toFixed(3)}` +
        `  fair ÷ ${first}: ${row.fairVsFirst.toFixed(3)}${control ? `  fair ÷ ${control}: ${others(row.fairVsControl).padStart(5)}` : ''}` +
        `  raw ÷ ${first}: ${row.rawVsFirst.toFixed(3)}${control ? `  raw ÷ ${control}: ${others(row.rawVsControl).padStart(5)}` : ''}` +
        `${row.lookupHitRatio === undefined ? '' : `  hits ${(100 * row.lookupHitRatio).toFixed(0)} %`}${verdict}${row.non2xx ? `  ${row.non2xx} non-2xx` : ''}`
    )
  }
}
mkdirSync(o.outDir, { recursive: true })
const file = `${o.outDir}/tenants-${new Date()
  .toISOString()
  .replace(/[:]/g, '-')
  .replace(/\.\d+Z$/, 'Z')}.json`
writeFileSync(file, JSON.stringify({ options: o, summary, results }, null, 2))
console.log(`results: ${file}`)
