// scripts/bench --tenants 1,50 [--users 10000]: the same binary serving N tenants of M users each,
// requests spread over the tenants, every tenant count measured round by round in the same run;
// the figure is each count's req/s over the first count's (target: ≥ 0.95 for 50 tenants vs 1).
import { mkdirSync, writeFileSync } from 'node:fs'
import { assertAlive, drain, freshPort, rssMb, startServer, stopServer, type Server } from './proc'
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
  const value = (name: string, fallback?: string): string => {
    const at = argv.indexOf(`--${name}`)
    const v = at < 0 ? fallback : argv[at + 1]
    if (v === undefined) throw new Error(`--${name} needs a value`)
    return v
  }
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
  count: number
  server: Server
  dir: string
  tokens: string[]
  ids: string[][]
}

async function run(cmd: string[]): Promise<string> {
  const proc = Bun.spawn(cmd, { stdout: 'pipe', stderr: 'pipe' })
  const [out, err, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ])
  if (code !== 0) throw new Error(`${cmd.join(' ')} exited with ${code}: ${out}${err}`)
  return out
}

/** A database of `count` tenants t0…t<count-1> (added with `tenant add`), each seeded with o.users users over HTTP. */
async function prepare(count: number): Promise<Setup> {
  const dir = `${o.tmp}/tenants-${count}`
  mkdirSync(dir, { recursive: true })
  const db = `${dir}/bench.db`
  const tokens: string[] = []
  for (let t = 0; t < count; t++) {
    const out = await run([o.bin, 'tenant', 'add', `t${t}`, '--db', db])
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
  const ids: string[][] = tokens.map(() => new Array<string>(o.users))
  const started = performance.now()
  const work = tokens.flatMap((_, t) => Array.from({ length: o.users }, (_, i) => [t, i] as const))
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
  console.log(`  ${count} tenant(s) × ${o.users.toLocaleString('en')} users seeded in ${secs.toFixed(0)} s`)
  return { count, server, dir, tokens, ids }
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
    const i = Math.floor(Math.random() * o.users)
    lines.push(`${s.tokens[t]} ${scenario.path(t, i, s)}`)
  }
  writeFileSync(file, `${lines.join('\n')}\n`)
  return file
}

console.log(
  `bench --tenants: ${o.counts.join(' and ')} tenant(s) × ${o.users.toLocaleString('en')} users, ${o.rounds} round(s) of ${o.seconds} s`
)
const setups: Setup[] = []
const results: { scenario: string; count: number; round: number; rps: number; p99Ms: number; non2xx: number }[] = []
try {
  for (const count of o.counts) {
    const setup = await prepare(count)
    setups.push(setup)
  }
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
        results.push({ scenario: scenario.id, count: s.count, round, rps: r.rps, p99Ms: r.p99Ms, non2xx: r.non2xx })
        console.log(
          `  round ${round} ${scenario.id} @ ${s.count} tenant(s): ${Math.round(r.rps).toLocaleString('en')} req/s, p99 ${r.p99Ms.toFixed(1)} ms${r.non2xx ? `, ${r.non2xx} non-2xx` : ''}`
        )
      }
    }
  }
} finally {
  for (const s of setups) {
    console.log(`  RSS @ ${s.count} tenant(s): ${rssMb(s.server.pid).toFixed(0)} MB`)
    await stopServer(s.server)
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
console.log(
  `\n=== tenants: req/s medians of ${o.rounds} round(s); ratio = per-round req/s ÷ ${o.counts[0]} tenant(s) in the same round ===`
)
const base = o.counts[0]!
const summary = []
for (const scenario of SCENARIOS) {
  for (const count of o.counts) {
    const mine = results.filter((r) => r.scenario === scenario.id && r.count === count)
    const ratios = mine.map(
      (r) => r.rps / results.find((b) => b.scenario === scenario.id && b.count === base && b.round === r.round)!.rps
    )
    const row = {
      scenario: scenario.id,
      tenants: count,
      rps: median(mine.map((r) => r.rps)),
      ratio: median(ratios),
      non2xx: mine.reduce((n, r) => n + r.non2xx, 0),
    }
    summary.push(row)
    console.log(
      `${scenario.id.padEnd(16)} ${String(count).padStart(3)} tenant(s)  ${Math.round(row.rps).toLocaleString('en').padStart(7)} req/s  ratio ${row.ratio.toFixed(3)}${count === base ? '' : row.ratio >= 0.95 ? '  PASS (≥ 0.95)' : '  FAIL (< 0.95)'}${row.non2xx ? `  ${row.non2xx} non-2xx` : ''}`
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
