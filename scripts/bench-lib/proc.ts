// Starting, pinning, watching and stopping the servers under test. Every pid goes into
// $BENCH_TMP/pids so scripts/bench's trap can kill leftovers by id if this process dies.
import { appendFileSync, createWriteStream, readFileSync } from 'node:fs'
import type { Subprocess } from 'bun'

export interface Server {
  name: string
  pid: number
  port: number
  proc: Subprocess
  logPath: string
}

// Below Linux's ephemeral range (32768–60999): a port there may be the source port of some
// outgoing connection (wrk's, a PostgreSQL client's) and then refuses a listener. Each run uses
// a few hundred ports at most, so a start below 30000 stays clear of it.
let nextPort = 21000 + Math.floor(Math.random() * 9000)

/** A port for the next server; each start gets a fresh one so TIME_WAIT sockets never collide. */
export function freshPort(): number {
  nextPort += 1
  return nextPort
}

/** Starts `cmd` pinned to `core` with taskset and waits until GET /healthz answers. */
export async function startServer(opts: {
  name: string
  cmd: string[]
  port: number
  core: number
  tmp: string
  /** Added to this process's environment (e.g. SCIM_JOURNAL=off). */
  env?: Record<string, string>
}): Promise<Server> {
  const logPath = `${opts.tmp}/${opts.name}.log`
  const log = createWriteStream(logPath, { flags: 'a' })
  const proc = Bun.spawn(['taskset', '-c', String(opts.core), ...opts.cmd], {
    env: { ...process.env, ...opts.env },
    stdout: 'pipe',
    stderr: 'pipe',
  })
  appendFileSync(`${opts.tmp}/pids`, `${proc.pid}\n`)
  pump(proc.stdout, log)
  pump(proc.stderr, log)
  const server = { name: opts.name, pid: proc.pid, port: opts.port, proc, logPath }
  const deadline = Date.now() + 30_000
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) break
    try {
      const res = await fetch(`http://127.0.0.1:${opts.port}/healthz`)
      if (res.ok) return server
    } catch {}
    await Bun.sleep(50)
  }
  proc.kill('SIGKILL')
  throw new Error(`${opts.name} did not come up on port ${opts.port}; log: ${logPath}\n${tail(logPath)}`)
}

async function pump(stream: ReadableStream<Uint8Array>, sink: NodeJS.WritableStream): Promise<void> {
  for await (const chunk of stream) sink.write(chunk)
}

export function tail(path: string, lines = 20): string {
  try {
    return readFileSync(path, 'utf8').split('\n').slice(-lines).join('\n')
  } catch {
    return ''
  }
}

/** VmRSS of a live process in MB (from /proc/<pid>/status). */
export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = Number(/VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1] ?? NaN)
  return kb / 1024
}

/** SIGTERM, then SIGKILL after 15 s; resolves with the exit code. */
export async function stopServer(server: Server): Promise<number | null> {
  if (server.proc.exitCode !== null) return server.proc.exitCode
  server.proc.kill('SIGTERM')
  const timer = setTimeout(() => server.proc.kill('SIGKILL'), 15_000)
  const code = await server.proc.exited
  clearTimeout(timer)
  return code
}

/** Throws with the log tail if the server died while it should be running. */
export function assertAlive(server: Server): void {
  if (server.proc.exitCode !== null) {
    throw new Error(`${server.name} exited with ${server.proc.exitCode}; log tail:\n${tail(server.logPath)}`)
  }
}

/**
 * Waits until the server answers /healthz promptly again, i.e. it has worked off the requests
 * wrk left in flight (a slow scenario can leave seconds of queued work behind). Bounded to 120 s.
 */
export async function drain(server: Server): Promise<number> {
  const started = performance.now()
  while (performance.now() - started < 120_000) {
    const t = performance.now()
    try {
      await fetch(`http://127.0.0.1:${server.port}/healthz`, { signal: AbortSignal.timeout(10_000) })
      if (performance.now() - t < 20) break
    } catch {}
    await Bun.sleep(100)
  }
  return (performance.now() - started) / 1000
}

/** Runs a command to its end and returns its stdout; a non-zero exit throws with what it printed. */
export async function runCommand(cmd: string[]): Promise<string> {
  const proc = Bun.spawn(cmd, { stdout: 'pipe', stderr: 'pipe' })
  const [out, err, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ])
  if (code !== 0) throw new Error(`${cmd.join(' ')} exited with ${code}: ${out}${err}`)
  return out
}

/** The value after `--name` in argv, else `fallback`; a flag without one throws. */
export function optionReader(argv: readonly string[]): (name: string, fallback?: string) => string {
  return (name, fallback) => {
    const at = argv.indexOf(`--${name}`)
    const v = at < 0 ? fallback : argv[at + 1]
    if (v === undefined) throw new Error(`--${name} needs a value`)
    return v
  }
}

/** The start of every bench's server command line: `BIN serve` on 127.0.0.1:PORT over DB (a file or a URL). */
export function serveArgs(bin: string, port: number, db: string): string[] {
  return [bin, 'serve', '--port', String(port), '--host', '127.0.0.1', '--db', db]
}

/** A bench's bare server ends on SIGTERM or SIGINT: the listener stopped, its database closed, exit 0. */
export function stopOnSignals(server: { stop(closeActive: boolean): void }, close: () => unknown): void {
  const stop = async () => {
    server.stop(true)
    await close()
    process.exit(0)
  }
  process.on('SIGTERM', () => void stop())
  process.on('SIGINT', () => void stop())
}

/** A bare baseline server on 127.0.0.1:`port`: /healthz for the bench's start-up probe, `handler` for the rest. */
export function serveBaseline(
  name: string,
  port: number,
  handler: (request: Request) => Response | Promise<Response>,
  close: () => unknown
): void {
  const server = Bun.serve({
    port,
    hostname: '127.0.0.1',
    fetch: (request) => (request.url.endsWith('/healthz') ? new Response('ok') : handler(request)),
  })
  console.log(`${name} listening on ${server.url}`)
  stopOnSignals(server, close)
}

/** Sets the default tenant's push receiver through the server's own command (a receiver new to the list starts at the journal's head). */
export function setPushUrl(bin: string, db: string, url: string, ...more: string[]): Promise<string> {
  return runCommand([bin, 'tenant', 'set', 'default', '--push-url', url, ...more, '--db', db])
}
