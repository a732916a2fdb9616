// scripts/bench --tenants 1,50 [--users 10000]: the same binary serving N tenants of M users each,
// requests spread over the tenants, every tenant count measured round by round in the same run;
// the figure is each count's req/s over the first count's (target: ≥ 0.95 for 50 tenants vs 1).
// A control serves one tenant holding as many users as the largest count holds in all, so what
// the data's size costs (a 50× larger database) is told apart from what serving tenants costs.
import { mkdirSync, writeFileSync } from 'node:fs'
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
} from './proc'
import { call, userBody, userName, type Api } from './seed'
import { runWrk } from './wrk'

interface Options {
  counts: number[]
  users: number
  rounds: number
  seconds: number
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
  const server = await startServer({
    name: `scim-tenants-${count}`,
    port,
    core: SERVER_CORE,
    tmp: o.tmp,
    cmd: [o.bin, 'serve', '--port', String(port), '--host', '127.0.0.1', '--db', db, '--log-level', 'warn'],
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
  return { label, count, users, server, dir, tokens, ids }
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

function listFor(s: Setup, scenario: (typeof SCENARIOS)[number]): string {
  const file = `${s.dir}/${scenario.id}.txt`
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
const results: { scenario: string; label: string; round: number; rps: number; p99Ms: number; non2xx: number }[] = []
try {
  for (const count of o.counts) setups.push(await prepare(count, o.users))
  const most = Math.max(...o.counts)
  if (most > 1) setups.push(await prepare(1, most * o.users))
  for (let round = 1; round <= o.rounds; round++) {
    for (const scenario of SCENARIOS) {
      for (const s of setups) {
        const measure = (seconds: number) =>
          runWrk({
            url: `http://127.0.0.1:${s.server.port}`,
            script: 'tenants.lua',
            seconds,
            connections: 32,
            core: LOAD_CORE,
            libDir: o.libDir,
            pidFile: `${o.tmp}/pids`,
            env: { BENCH_TOKEN: 'unused', BENCH_LIST: listFor(s, scenario), BENCH_METHOD: scenario.method },
          })
        await measure(1)
        await drain(s.server)
        const r = await measure(o.seconds)
        assertAlive(s.server)
        await drain(s.server)
        results.push({ scenario: scenario.id, label: s.label, round, rps: r.rps, p99Ms: r.p99Ms, non2xx: r.non2xx })
        console.log(
          `  round ${round} ${scenario.id} @ ${s.label}: ${Math.round(r.rps).toLocaleString('en')} req/s, p99 ${r.p99Ms.toFixed(1)} ms${r.non2xx ? `, ${r.non2xx} non-2xx` : ''}`
        )
      }
    }
  }
} finally {
  for (const s of setups) {
    console.log(`  RSS @ ${s.label}: ${rssMb(s.server.pid).toFixed(0)} MB`)
    await stopServer(s.server)
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
/** Per-round req/s of `label` over `base`'s in the same round, medians of the rounds. */
const ratio = (scenario: string, label: string, base: string) =>
  median(
    results
      .filter((r) => r.scenario === scenario && r.label === label)
      .map((r) => r.rps / results.find((b) => b.scenario === scenario && b.label === base && b.round === r.round)!.rps)
  )
const first = setups[0]!.label
const control = setups.length > o.counts.length ? setups[setups.length - 1]!.label : undefined
const widest = setups[o.counts.length - 1]!.label
console.log(
  `\n=== tenants (tenants × users): req/s medians of ${o.rounds} round(s); ratios of per-round req/s in the same round ===`
)
const summary = []
for (const scenario of SCENARIOS) {
  for (const s of setups) {
    const mine = results.filter((r) => r.scenario === scenario.id && r.label === s.label)
    const row = {
      scenario: scenario.id,
      setup: s.label,
      rps: median(mine.map((r) => r.rps)),
      p99Ms: median(mine.map((r) => r.p99Ms)),
      vsFirst: ratio(scenario.id, s.label, first),
      vsControl: control && s.label === widest ? ratio(scenario.id, s.label, control) : undefined,
      non2xx: mine.reduce((n, r) => n + r.non2xx, 0),
    }
    summary.push(row)
    // The target holds the tenant counts to the first; the control only explains the difference.
    const verdict =
      s.label === first || s.label === control ? '' : row.vsFirst >= 0.95 ? '  PASS (≥ 0.95)' : '  FAIL (< 0.95)'
    console.log(
      `${scenario.id.padEnd(15)} ${s.label.padStart(11)}  ${Math.round(row.rps).toLocaleString('en').padStart(7)} req/s  p99 ${row.p99Ms.toFixed(1).padStart(6)} ms  ÷ ${first}: ${row.vsFirst.toFixed(3)}${verdict}${row.vsControl === undefined ? '' : `  ÷ ${control} (same data, one tenant): ${row.vsControl.toFixed(3)}`}${row.non2xx ? `  ${row.non2xx} non-2xx` : ''}`
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
