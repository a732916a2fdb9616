// Where a request's time goes on PostgreSQL: CPU of the server and of PostgreSQL, commits, WAL syncs and statements per request.
import { readFileSync } from 'node:fs'
import { SQL } from 'bun'
import type { BenchOptions } from './config'
import type { BenchPostgres } from './pg-server'
import type { Server } from './proc'
import { runWrk } from './wrk'

export interface PgProfile {
  size: number
  scenario: string
  /** `nojournal`: the binary with SCIM_JOURNAL=off, so the journal's share shows. */
  target: 'scim' | 'nojournal' | 'baseline'
  rps: number
  p50Ms: number
  /** CPU µs per request of the server process, and of PostgreSQL's processes (both on the server core). */
  serverCpuUs: number
  postgresCpuUs: number
  /**
   * Shares of the server core's time during the run: processes other than these two (other work
   * on the machine), interrupts (mostly loopback traffic), and time the hypervisor gave elsewhere.
   */
  serverCore: { others: number; interrupts: number; steal: number }
  /** Share of the load core's time spent in processes (wrk, and whatever else runs there). */
  loadCoreBusyShare: number
  commitsPerRequest: number
  walSyncsPerRequest: number
  /** Statements per request as the server log showed them for a few sequential requests. */
  statementsPerRequest: number
  /** The statements of one request with how often each ran, e.g. `1.0× execute (prepared): INSERT …`. */
  statements: string[]
}

export interface ProfileTarget {
  o: BenchOptions
  pg: BenchPostgres
  size: number
  /** The database the server under test uses (its commits are counted). */
  database: string
  server: Server
  scenario: string
  target: PgProfile['target']
  script: string
  env: Record<string, string>
  /** One request like those of the scenario, sent sequentially (k numbers them). */
  one(k: number): Promise<unknown>
}

/** Sequential requests whose statements are logged and counted. */
const LOGGED_REQUESTS = 10

/**
 * The statements of LOGGED_REQUESTS sequential requests, then one wrk run of the scenario with
 * the CPU ticks of the server and of PostgreSQL, the database's commits and the cluster's WAL
 * syncs counted around it.
 */
export async function profileRun(t: ProfileTarget): Promise<PgProfile> {
  await t.one(LOGGED_REQUESTS) // the first request prepares what later ones reuse
  const logged = await t.pg.statementsDuring(async () => {
    for (let k = 0; k < LOGGED_REQUESTS; k++) await t.one(k)
  })
  const counts = new Map<string, number>()
  // Prepared statements are named per connection (P1, P7, …): one name for all of them.
  for (const s of logged) {
    const key = s.replace(/^execute P\d+:/, 'execute (prepared):')
    counts.set(key, (counts.get(key) ?? 0) + 1)
  }
  // Background reads (tenants and tokens every 250 ms, gauges) do not come once per request: left out.
  const perRequest = [...counts].filter(([, n]) => n >= LOGGED_REQUESTS)
  const admin = new SQL(t.pg.url, { max: 1 })
  const counters = async () => {
    const [row] =
      (await admin`SELECT (SELECT xact_commit FROM pg_stat_database WHERE datname = ${t.database})::float8 AS commits,
      (SELECT wal_sync FROM pg_stat_wal)::float8 AS syncs`) as { commits: number; syncs: number }[]
    return row!
  }
  await Bun.sleep(1200) // backends flush their statistics at most once a second
  const before = { ...(await counters()), cores: coreTicks(), server: procTicks(t.server.pid), pg: t.pg.cpuTicks() }
  const run = await runWrk({
    url: `http://127.0.0.1:${t.server.port}`,
    script: t.script,
    seconds: t.o.seconds,
    connections: t.o.connections,
    core: t.o.loadCore,
    libDir: t.o.libDir,
    pidFile: `${t.o.tmp}/pids`,
    env: { BENCH_TOKEN: t.o.token, BENCH_SEED: String(Math.floor(Math.random() * 1e9)), ...t.env },
  })
  const after = { cores: coreTicks(), server: procTicks(t.server.pid), pg: t.pg.cpuTicks() }
  await Bun.sleep(1200)
  const counted = await counters()
  await admin.close()
  const n = Math.max(1, run.requests)
  const serverTicks = after.server - before.server
  const pgTicks = after.pg - before.pg
  const core = (i: number) => {
    const a = before.cores[i]!
    const b = after.cores[i]!
    const total = Math.max(1, b.total - a.total)
    return { procs: b.procs - a.procs, irq: b.irq - a.irq, steal: b.steal - a.steal, total }
  }
  const serverCore = core(t.o.serverCore)
  const loadCore = core(t.o.loadCore)
  return {
    size: t.size,
    scenario: t.scenario,
    target: t.target,
    rps: run.rps,
    p50Ms: run.p50Ms,
    serverCpuUs: (serverTicks * TICK_US) / n,
    postgresCpuUs: (pgTicks * TICK_US) / n,
    serverCore: {
      others: Math.max(0, serverCore.procs - serverTicks - pgTicks) / serverCore.total,
      interrupts: serverCore.irq / serverCore.total,
      steal: serverCore.steal / serverCore.total,
    },
    loadCoreBusyShare: loadCore.procs / loadCore.total,
    commitsPerRequest: (counted.commits - before.commits) / n,
    walSyncsPerRequest: (counted.syncs - before.syncs) / n,
    statementsPerRequest: perRequest.reduce((a, [, c]) => a + c, 0) / LOGGED_REQUESTS,
    statements: perRequest.map(([s, c]) => `${(c / LOGGED_REQUESTS).toFixed(1)}× ${s}`),
  }
}

/** /proc counts CPU time in ticks of 1/100 s (USER_HZ). */
const TICK_US = 10_000

/** utime + stime of one process, in ticks (0 once it is gone). */
export function procTicks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return Number(f[11]) + Number(f[12])
  } catch {
    return 0
  }
}

interface CoreTicks {
  /** user + nice + system: time in processes. */
  procs: number
  /** irq + softirq. */
  irq: number
  steal: number
  total: number
}

/** Each core's ticks from /proc/stat (user nice system idle iowait irq softirq steal). */
function coreTicks(): CoreTicks[] {
  const out: CoreTicks[] = []
  for (const line of readFileSync('/proc/stat', 'utf8').split('\n')) {
    const m = /^cpu(\d+) (.*)$/.exec(line)
    if (!m) continue
    const v = m[2]!.trim().split(/\s+/).map(Number)
    const total = v.slice(0, 8).reduce((a, b) => a + b, 0)
    out[Number(m[1])] = { procs: v[0]! + v[1]! + v[2]!, irq: v[5]! + v[6]!, steal: v[7]!, total }
  }
  return out
}

export function describeProfile(p: PgProfile): string {
  return `${p.scenario} ${p.target.padEnd(9)} ${Math.round(p.rps).toString().padStart(6)} req/s, p50 ${p.p50Ms.toFixed(1)} ms; CPU per request: server ${p.serverCpuUs.toFixed(0)} µs, PostgreSQL ${p.postgresCpuUs.toFixed(0)} µs; per request ${p.statementsPerRequest.toFixed(1)} statements, ${p.commitsPerRequest.toFixed(2)} commits, ${p.walSyncsPerRequest.toFixed(2)} WAL syncs; server core: ${pct(p.serverCore.others)} other processes, ${pct(p.serverCore.interrupts)} interrupts, ${pct(p.serverCore.steal)} steal; load core ${pct(p.loadCoreBusyShare)} busy`
}

const pct = (share: number) => `${(100 * share).toFixed(0)}%`
