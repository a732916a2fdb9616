// scripts/bench --events: durable POST /Users with change-event consumers (an RFC 8935 push
// receiver and an RFC 8936 long poller taking every event) against the same binary without any,
// round by round; the figure is the per-round req/s ratio (target ≥ 0.9×), with the consumers'
// backlog (journal head − their acknowledged position) sampled through each run: a ratio bought
// with a backlog that grows is not a pass.
import { Database } from 'bun:sqlite'
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import {
  assertAlive,
  drain,
  freshPort,
  startServer,
  stopServer,
  type Server,
  runCommand,
  optionReader,
  serveArgs,
  setPushUrl,
} from './proc'
import { runWrk, type WrkResult } from './wrk'

interface Options {
  rounds: number
  seconds: number
  warmupSeconds: number
  pollMax: number
  bin: string
  tmp: string
  outDir: string
  libDir: string
}

function parse(argv: string[]): Options {
  const value = optionReader(argv)
  const known = new Set(['--events', '--rounds', '--seconds', '--poll-max', '--bin', '--tmp', '--out', '--quick'])
  for (const a of argv) if (a.startsWith('--') && !known.has(a)) throw new Error(`unknown option ${a} with --events`)
  const quick = argv.includes('--quick')
  const root = new URL('../..', import.meta.url).pathname.replace(/\/$/, '')
  return {
    rounds: Number(value('rounds', quick ? '1' : '3')),
    seconds: Number(value('seconds', quick ? '3' : '10')),
    warmupSeconds: quick ? 1 : 2,
    pollMax: Number(value('poll-max', '100')),
    bin: value('bin'),
    tmp: value('tmp'),
    outDir: value('out', `${root}/bench-results`),
    libDir: `${root}/scripts/bench-lib`,
  }
}

const o = parse(process.argv.slice(2))
const SERVER_CORE = 1
const LOAD_CORE = 0
const CONNECTIONS = 32
/** Backlog samples per second of a measured run. */
const SAMPLE_MS = 1000
/** How long the consumers get after a run to take what is left, before the next run starts. */
const CATCH_UP_MS = 30_000

type Target = 'consumers' | 'none'

interface Setup {
  target: Target
  db: string
  /** A stored provisioning token for wrk (with --token the default tenant's stored tokens would not count). */
  writeToken: string
  /** The poller's read token (consumers only): a stored token has a stream of its own. */
  readToken?: string
}

interface Sample {
  atS: number
  head: number
  push: number
  poll: number
}

interface RunResult {
  target: Target
  round: number
  wrk: WrkResult
  /** The server's CPU time (user + system) over the measured run, per request answered. */
  cpuUsPerRequest: number
  /** Backlog (events the consumer has not acknowledged) through the measured run, and at its end. */
  samples: Sample[]
  endPush: number
  endPoll: number
  /** scim_events_undelivered from /metrics at the end of the run (push receivers only). */
  metricsUndelivered: number | null
  /** Seconds after the run until both consumers had everything (null: not within CATCH_UP_MS). */
  caughtUpS: number | null
  consumer?: Record<string, number>
}

function serverCmd(s: Setup, port: number, metricsPort: number): string[] {
  return [
    ...serveArgs(o.bin, port, s.db),
    '--durability',
    'full',
    // Pushed SETs carry the tenant's public URL as `iss`; without it nothing is pushed.
    '--base-url',
    `http://127.0.0.1:${port}/scim/v2`,
    '--metrics-listen',
    String(metricsPort),
  ]
}

/** A database for `target`: created by one start of the server, with wrk's token; the consumers' side gets the poller's read token. */
async function prepare(target: Target): Promise<Setup> {
  const dir = `${o.tmp}/events-${target}`
  mkdirSync(dir, { recursive: true })
  const setup: Setup = { target, db: `${dir}/bench.db`, writeToken: '' }
  const port = freshPort()
  const server = await startServer({
    name: `events-${target}-init`,
    port,
    core: SERVER_CORE,
    tmp: o.tmp,
    cmd: serverCmd(setup, port, freshPort()),
  })
  await stopServer(server)
  const issued = async (...args: string[]) =>
    /Secret Token: (\S+)/.exec(await runCommand([o.bin, 'token', '--db', setup.db, ...args]))![1]!
  setup.writeToken = await issued('--name', 'bench-writer')
  if (target === 'consumers') {
    setup.readToken = await issued('--name', 'bench-poller', '--scope', 'read')
  }
  return setup
}

/**
 * Journal head and each consumer's acknowledged position, read beside the server (a WAL reader
 * does not block it). A connection of its own each time, so no statement left open pins an old
 * snapshot.
 */
function positions(file: string): { head: number; push: number; poll: number } {
  const db = new Database(file)
  try {
    const one = (sql: string) => db.query<{ s: number | null }, []>(sql).all()[0]?.s ?? 0
    const at = (kind: string) =>
      one(`SELECT max(acked_seq) AS s FROM event_streams WHERE tenant = 'default' AND stream LIKE '${kind} %'`)
    return {
      head: one("SELECT max(seq) AS s FROM journal WHERE tenant = 'default'"),
      push: at('push'),
      poll: at('poll'),
    }
  } finally {
    db.close()
  }
}

/** User + system CPU seconds of a process so far (/proc/<pid>/stat, clock ticks of 1/100 s). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
  return (Number(fields[11]) + Number(fields[12])) / 100
}

async function undeliveredMetric(metricsPort: number): Promise<number | null> {
  try {
    const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text()
    const m = /^scim_events_undelivered (\d+)$/m.exec(text)
    return m ? Number(m[1]) : null
  } catch {
    return null
  }
}

async function measureOnce(s: Setup, round: number): Promise<RunResult> {
  const port = freshPort()
  const metricsPort = freshPort()
  let consumers: ReturnType<typeof Bun.spawn> | undefined
  let receiverPort = 0
  if (s.target === 'consumers') {
    // The receiver listens on a free port before the server starts; the poller retries until the server is up.
    consumers = Bun.spawn(
      [
        'taskset',
        '-c',
        String(LOAD_CORE),
        process.execPath,
        'run',
        `${o.libDir}/consumers.ts`,
        '--poll',
        `http://127.0.0.1:${port}/scim/v2/Events`,
        // One word: a token may start with '-', which parseArgs would take for an option.
        `--token=${s.readToken!}`,
        '--max',
        String(o.pollMax),
      ],
      { stdout: 'pipe', stderr: 'inherit' }
    )
    appendFileSync(`${o.tmp}/pids`, `${consumers.pid}\n`)
    const reader = (consumers.stdout as ReadableStream<Uint8Array>).getReader()
    let said = ''
    while (!/consumers ready on \d+/.test(said)) {
      const { value, done } = await reader.read()
      if (done) throw new Error(`the consumers exited before they were ready: ${said}`)
      said += new TextDecoder().decode(value)
    }
    reader.releaseLock()
    receiverPort = Number(/consumers ready on (\d+)/.exec(said)![1])
    // Through the server's own command; a receiver URL new to the list starts at the journal's
    // head, so each run's backlog is its own.
    await setPushUrl(o.bin, s.db, `http://127.0.0.1:${receiverPort}/events`)
  }
  const server: Server = await startServer({
    name: `events-${s.target}-r${round}`,
    port,
    core: SERVER_CORE,
    tmp: o.tmp,
    cmd: serverCmd(s, port, metricsPort),
  })
  try {
    const wrk = (seconds: number) =>
      runWrk({
        url: `http://127.0.0.1:${port}`,
        script: 'post-user.lua',
        seconds,
        connections: CONNECTIONS,
        core: LOAD_CORE,
        libDir: o.libDir,
        pidFile: `${o.tmp}/pids`,
        env: {
          BENCH_TOKEN: s.writeToken,
          BENCH_SEED: String(Math.floor(Math.random() * 1e9)),
          BENCH_PATH: '/scim/v2/Users',
          BENCH_PREFIX: `ev${Math.random().toString(36).slice(2, 8)}`,
        },
      })
    await wrk(o.warmupSeconds)
    await drain(server)
    const samples: Sample[] = []
    const started = performance.now()
    const backlogOf = (p: ReturnType<typeof positions>): Sample => ({
      atS: (performance.now() - started) / 1000,
      head: p.head,
      push: s.target === 'consumers' ? p.head - p.push : 0,
      poll: s.target === 'consumers' ? p.head - p.poll : 0,
    })
    const sampler = setInterval(() => samples.push(backlogOf(positions(s.db))), SAMPLE_MS)
    const cpuBefore = cpuSeconds(server.pid)
    const result = await wrk(o.seconds)
    const cpuUsPerRequest = ((cpuSeconds(server.pid) - cpuBefore) * 1e6) / Math.max(1, result.requests)
    clearInterval(sampler)
    const end = backlogOf(positions(s.db))
    samples.push(end)
    const metricsUndelivered = await undeliveredMetric(metricsPort)
    assertAlive(server)
    let caughtUpS: number | null = 0
    if (s.target === 'consumers') {
      const t = performance.now()
      caughtUpS = null
      while (performance.now() - t < CATCH_UP_MS) {
        const b = backlogOf(positions(s.db))
        // The poller acknowledges a batch with its next poll: one batch in hand is caught up.
        if (b.push === 0 && b.poll <= o.pollMax) {
          caughtUpS = (performance.now() - t) / 1000
          break
        }
        await Bun.sleep(100)
      }
    }
    await drain(server)
    const consumer =
      s.target === 'consumers'
        ? ((await (await fetch(`http://127.0.0.1:${receiverPort}/stats`)).json()) as Record<string, number>)
        : undefined
    return {
      target: s.target,
      round,
      wrk: result,
      cpuUsPerRequest,
      samples,
      endPush: end.push,
      endPoll: end.poll,
      metricsUndelivered,
      caughtUpS,
      consumer,
    }
  } finally {
    await stopServer(server)
    consumers?.kill('SIGTERM')
    await consumers?.exited
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

console.log(
  `bench --events: durable POST /Users, ${o.rounds} round(s) of ${o.seconds} s (+${o.warmupSeconds} s warm-up), wrk -t1 -c${CONNECTIONS} on core ${LOAD_CORE} with the consumers, server on core ${SERVER_CORE}; poller maxEvents ${o.pollMax}`
)
const started = new Date()
const results: RunResult[] = []
const setups = { consumers: await prepare('consumers'), none: await prepare('none') }
for (let round = 1; round <= o.rounds; round++) {
  // The order alternates by round, so drift within a round favours neither.
  const order: Target[] = round % 2 === 1 ? ['consumers', 'none'] : ['none', 'consumers']
  for (const target of order) {
    const r = await measureOnce(setups[target], round)
    results.push(r)
    const trail = r.samples.map((x) => `${x.push}/${x.poll}`).join(' ')
    console.log(
      `  round ${round} ${target.padEnd(9)} ${Math.round(r.wrk.rps).toLocaleString('en').padStart(6)} req/s  p50 ${r.wrk.p50Ms.toFixed(2)} ms  p99 ${r.wrk.p99Ms.toFixed(2)} ms  server CPU ${r.cpuUsPerRequest.toFixed(0)} µs/request${r.wrk.non2xx ? `  non-2xx ${r.wrk.non2xx}` : ''}` +
        (target === 'consumers'
          ? `\n    backlog push/poll each second: ${trail}; /metrics undelivered ${r.metricsUndelivered}; caught up ${r.caughtUpS === null ? `not within ${CATCH_UP_MS / 1000} s` : `${r.caughtUpS.toFixed(1)} s`} after the run; consumer ${JSON.stringify(r.consumer)}`
          : '')
    )
  }
}

const ratios = results
  .filter((r) => r.target === 'consumers')
  .map((r) => r.wrk.rps / results.find((n) => n.target === 'none' && n.round === r.round)!.wrk.rps)
const withC = results.filter((r) => r.target === 'consumers')
const without = results.filter((r) => r.target === 'none')
const ratio = median(ratios)
// Less sensitive to other work on the machine than req/s: what the server's core spends per POST.
const cpuRatios = withC.map(
  (r) => results.find((n) => n.target === 'none' && n.round === r.round)!.cpuUsPerRequest / r.cpuUsPerRequest
)
// Not growing: at the end of each run each consumer is less than one second of writes behind.
const bounded = withC.every((r) => Math.max(r.endPush, r.endPoll) <= r.wrk.rps)
const pass = ratio >= 0.9 && bounded && withC.every((r) => r.caughtUpS !== null)
console.log(
  `\n=== events: medians of ${o.rounds} round(s); ratio = median of per-round req/s with consumers ÷ without ===`
)
console.log(
  `write.post no consumers      ${Math.round(median(without.map((r) => r.wrk.rps)))
    .toLocaleString('en')
    .padStart(6)} req/s  p99 ${median(without.map((r) => r.wrk.p99Ms)).toFixed(2)} ms`
)
console.log(
  `write.post push + long poll  ${Math.round(median(withC.map((r) => r.wrk.rps)))
    .toLocaleString('en')
    .padStart(
      6
    )} req/s  p99 ${median(withC.map((r) => r.wrk.p99Ms)).toFixed(2)} ms  ratio ${ratio.toFixed(3)} (per round ${ratios.map((x) => x.toFixed(3)).join(', ')})`
)
console.log(
  `server CPU per POST: ${Math.round(median(without.map((r) => r.cpuUsPerRequest)))} µs without consumers, ${Math.round(median(withC.map((r) => r.cpuUsPerRequest)))} µs with; CPU ratio (without ÷ with) ${median(cpuRatios).toFixed(3)} (per round ${cpuRatios.map((x) => x.toFixed(3)).join(', ')})`
)
console.log(
  `backlog at the end of each run (push/poll): ${withC.map((r) => `${r.endPush}/${r.endPoll}`).join(', ')}; ${bounded ? 'each under one second of writes' : 'MORE than one second of writes: the consumers fall behind'}`
)
console.log(`${pass ? 'PASS' : 'FAIL'} (≥ 0.90× with a bounded backlog)`)
mkdirSync(o.outDir, { recursive: true })
const file = `${o.outDir}/events-${started
  .toISOString()
  .replace(/[:]/g, '-')
  .replace(/\.\d+Z$/, 'Z')}.json`
const options = o
writeFileSync(
  file,
  JSON.stringify(
    {
      started: started.toISOString(),
      options,
      ratio,
      ratios,
      cpuRatios,
      bounded,
      pass,
      results: results.map(({ wrk, ...r }) => ({ ...r, wrk: { ...wrk, raw: undefined } })),
    },
    null,
    2
  )
)
console.log(`results: ${file}`)
