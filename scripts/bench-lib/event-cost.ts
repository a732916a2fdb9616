// scripts/bench --event-cost [--count N] [--rounds R]: the server's CPU per change event consumed,
// apart from the writes. N users are POSTed first (the CPU per durable POST is measured then);
// then, with no writes running, a long poller takes and acks all N events, a push receiver added
// with --push-from oldest takes all N, and both at once take N more written while neither
// consumed; each is the server's CPU
// (/proc/<pid>/stat) over that consumption ÷ N. Minimum of R rounds, each on a fresh database:
// CPU time moves less than req/s when other work shares the machine, and the minimum is the
// run least disturbed.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { freshPort, startServer, stopServer, type Server, runCommand, serveArgs, setPushUrl } from './proc'

function value(argv: string[], name: string, fallback?: string): string {
  const at = argv.indexOf(`--${name}`)
  const v = at < 0 ? fallback : argv[at + 1]
  if (v === undefined) throw new Error(`--${name} needs a value`)
  return v
}

const argv = process.argv.slice(2)
const root = new URL('../..', import.meta.url).pathname.replace(/\/$/, '')
const o = {
  events: Number(value(argv, 'count', '20000')),
  rounds: Number(value(argv, 'rounds', '3')),
  bin: value(argv, 'bin'),
  tmp: value(argv, 'tmp'),
  outDir: value(argv, 'out', `${root}/bench-results`),
  libDir: `${root}/scripts/bench-lib`,
}
const SERVER_CORE = 1
const LOAD_CORE = 0

function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
  return (Number(fields[11]) + Number(fields[12])) / 100
}

const tokenOf = (out: string) => /Secret Token: (\S+)/.exec(out)![1]!

async function serve(db: string, port: number, name: string): Promise<Server> {
  return startServer({
    name,
    port,
    core: SERVER_CORE,
    tmp: o.tmp,
    cmd: [
      ...serveArgs(o.bin, port, db),
      '--durability',
      'full',
      '--base-url',
      `http://127.0.0.1:${port}/scim/v2`,
      '--log-level',
      'warn',
    ],
  })
}

/** POSTs `n` users, 32 in flight. */
async function write(port: number, token: string, n: number, tag: string): Promise<void> {
  let next = 0
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < n) {
        const i = next++
        const res = await fetch(`http://127.0.0.1:${port}/scim/v2/Users`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' },
          body: JSON.stringify({
            schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
            userName: `${tag}${i}@example.com`,
            externalId: `x${tag}${i}`,
            active: true,
            name: { givenName: 'Cost', familyName: 'Writer' },
            emails: [{ value: `${tag}${i}@example.com`, type: 'work', primary: true }],
          }),
        })
        if (res.status !== 201) throw new Error(`POST → ${res.status} ${await res.text()}`)
      }
    })
  )
}

/** Starts the consumers process; resolves with its receiver port and a function reading its counters. */
async function consumers(args: string[]) {
  const proc = Bun.spawn(
    ['taskset', '-c', String(LOAD_CORE), process.execPath, 'run', `${o.libDir}/consumers.ts`, ...args],
    { stdout: 'pipe', stderr: 'inherit' }
  )
  const reader = (proc.stdout as ReadableStream<Uint8Array>).getReader()
  let said = ''
  while (!/consumers ready on \d+/.test(said)) {
    const { value: chunk, done } = await reader.read()
    if (done) throw new Error(`the consumers exited: ${said}`)
    said += new TextDecoder().decode(chunk)
  }
  reader.releaseLock()
  const port = Number(/consumers ready on (\d+)/.exec(said)![1])
  const stats = async () =>
    (await (await fetch(`http://127.0.0.1:${port}/stats`)).json()) as { pushed: number; polled: number }
  return { proc, port, stats }
}

/** Waits until `done()` and returns the server's CPU seconds meanwhile. */
async function cpuUntil(server: Server, done: () => Promise<boolean>): Promise<number> {
  const before = cpuSeconds(server.pid)
  const deadline = performance.now() + 300_000
  while (!(await done())) {
    if (performance.now() > deadline) throw new Error('the consumers did not finish within 300 s')
    await Bun.sleep(20)
  }
  return cpuSeconds(server.pid) - before
}

interface Round {
  postUs: number
  pollUs: number
  pushUs: number
  bothUs: number
}

async function round(r: number): Promise<Round> {
  const dir = `${o.tmp}/event-cost-${r}`
  mkdirSync(dir, { recursive: true })
  const db = `${dir}/bench.db`
  const port = freshPort()
  await stopServer(await serve(db, port, `event-cost-${r}-init`))
  const writer = tokenOf(await runCommand([o.bin, 'token', '--db', db, '--name', 'writer']))
  const pollerToken = tokenOf(await runCommand([o.bin, 'token', '--db', db, '--name', 'poller', '--scope', 'read']))
  let server = await serve(db, port, `event-cost-${r}`)
  const n = o.events
  try {
    await write(port, writer, 500, 'warm')
    const cpuPost = cpuSeconds(server.pid)
    await write(port, writer, n, 'a')
    const postUs = ((cpuSeconds(server.pid) - cpuPost) * 1e6) / n

    // The long poller alone: it starts at the oldest entry, so it takes the warm-up's 500 too.
    const poller = await consumers([
      '--poll',
      `http://127.0.0.1:${port}/scim/v2/Events`,
      `--token=${pollerToken}`,
      '--max',
      '100',
    ])
    const total = n + 500
    const pollS = await cpuUntil(server, async () => (await poller.stats()).polled >= total)
    // The push receiver alone, from the oldest entry (the poller idles in its long poll meanwhile).
    await setPushUrl(o.bin, db, `http://127.0.0.1:${poller.port}/events`, '--push-from', 'oldest')
    await stopServer(server)
    server = await serve(db, port, `event-cost-${r}-push`)
    const pushS = await cpuUntil(server, async () => (await poller.stats()).pushed >= total)
    // Both at once, on N new events written while neither consumed: the poller is stopped, and a
    // new receiver placed at the journal's head listens only once the writes are done (the
    // server's attempts meanwhile fail at once and back off). Both then stay close together, as
    // under load, so the SETs one signs serve the other.
    poller.proc.kill('SIGTERM')
    await poller.proc.exited
    await stopServer(server)
    const receiverPort = freshPort()
    await setPushUrl(o.bin, db, `http://127.0.0.1:${receiverPort}/events`)
    server = await serve(db, port, `event-cost-${r}-quiet`)
    await write(port, writer, n, 'b')
    await stopServer(server)
    const both = await consumers([
      '--port',
      String(receiverPort),
      '--poll',
      `http://127.0.0.1:${port}/scim/v2/Events`,
      `--token=${pollerToken}`,
      '--max',
      '100',
    ])
    server = await serve(db, port, `event-cost-${r}-both`)
    const bothS = await cpuUntil(server, async () => {
      const s = await both.stats()
      return s.polled >= n && s.pushed >= n
    })
    both.proc.kill('SIGTERM')
    await both.proc.exited
    return {
      postUs,
      pollUs: (pollS * 1e6) / total,
      pushUs: (pushS * 1e6) / total,
      bothUs: (bothS * 1e6) / n,
    }
  } finally {
    await stopServer(server)
  }
}

console.log(
  `bench --event-cost: ${o.events.toLocaleString('en')} events, ${o.rounds} round(s); server on core ${SERVER_CORE}, consumers on core ${LOAD_CORE}`
)
const rounds: Round[] = []
for (let r = 1; r <= o.rounds; r++) {
  const x = await round(r)
  rounds.push(x)
  console.log(
    `  round ${r}: POST ${x.postUs.toFixed(1)} µs; per event: poll ${x.pollUs.toFixed(1)} µs, push ${x.pushUs.toFixed(1)} µs, both ${x.bothUs.toFixed(1)} µs`
  )
}
const min = (k: keyof Round) => Math.min(...rounds.map((x) => x[k]))
const post = min('postUs')
const both = min('bothUs')
console.log(
  `\n=== server CPU, minimum of ${o.rounds} round(s) ===\ndurable POST ${post.toFixed(1)} µs; per event consumed: long poll ${min('pollUs').toFixed(1)} µs, push ${min('pushUs').toFixed(1)} µs, both ${both.toFixed(1)} µs`
)
console.log(
  `CPU-bound ceiling of POST with both consumers ÷ without: ${(post / (post + both)).toFixed(3)} (POST ÷ (POST + both))`
)
mkdirSync(o.outDir, { recursive: true })
const file = `${o.outDir}/event-cost-${new Date()
  .toISOString()
  .replace(/[:]/g, '-')
  .replace(/\.\d+Z$/, 'Z')}.json`
writeFileSync(file, JSON.stringify({ options: o, rounds }, null, 2))
console.log(`results: ${file}`)
