// Runs one bounded wrk measurement pinned to the load-generator core and parses its summary.
// The Lua scripts print one `BENCHJSON {...}` line from done(); the text output is kept too.
import { appendFileSync } from 'node:fs'

export interface WrkResult {
  requests: number
  sent: number
  durationS: number
  rps: number
  p50Ms: number
  p75Ms: number
  p90Ms: number
  p99Ms: number
  maxMs: number
  /** Responses with status > 399 (wrk's "Non-2xx or 3xx responses" line). */
  non2xx: number
  socketErrors: { connect: number; read: number; write: number; timeout: number }
  wrapped: boolean
  /** Mean response size (headers included), to tell a slow scenario from a large answer. */
  bytesPerResponse: number
  raw: string
}

export interface WrkOptions {
  url: string // http://127.0.0.1:P  (the path comes from the script)
  script: string // file name inside bench-lib
  env: Record<string, string>
  seconds: number
  connections: number
  core: number
  libDir: string
  /** scripts/bench's pid list, so its exit trap can stop a wrk still running. */
  pidFile?: string
}

interface Summary {
  requests: number
  duration_us: number
  bytes: number
  sent: number
  err_connect: number
  err_read: number
  err_write: number
  err_status: number
  err_timeout: number
  p50_us: number
  p75_us: number
  p90_us: number
  p99_us: number
  max_us: number
  wrapped: number
}

export async function runWrk(o: WrkOptions): Promise<WrkResult> {
  const cmd = [
    'taskset',
    '-c',
    String(o.core),
    'wrk',
    '-t1',
    `-c${o.connections}`,
    `-d${o.seconds}s`,
    '--timeout',
    '5s',
    '--latency',
    '-s',
    `${o.libDir}/${o.script}`,
    o.url,
  ]
  const proc = Bun.spawn(cmd, {
    env: { ...process.env, ...o.env, BENCH_LUA_DIR: o.libDir },
    stdout: 'pipe',
    stderr: 'pipe',
  })
  if (o.pidFile) appendFileSync(o.pidFile, `${proc.pid}\n`)
  // wrk stops itself after -d; this only guards against a hang while loading lists.
  const guard = setTimeout(() => proc.kill('SIGKILL'), (o.seconds + 60) * 1000)
  const [out, err, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ])
  clearTimeout(guard)
  const line = out.split('\n').find((l) => l.startsWith('BENCHJSON '))
  if (code !== 0 || !line) throw new Error(`wrk failed (exit ${code}): ${cmd.join(' ')}\n${out}\n${err}`)
  const s = JSON.parse(line.slice('BENCHJSON '.length)) as Summary
  const durationS = s.duration_us / 1e6
  const non2xxLine = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0)
  return {
    requests: s.requests,
    sent: s.sent,
    durationS,
    rps: s.requests / durationS,
    p50Ms: s.p50_us / 1000,
    p75Ms: s.p75_us / 1000,
    p90Ms: s.p90_us / 1000,
    p99Ms: s.p99_us / 1000,
    maxMs: s.max_us / 1000,
    non2xx: Math.max(s.err_status, non2xxLine),
    socketErrors: { connect: s.err_connect, read: s.err_read, write: s.err_write, timeout: s.err_timeout },
    wrapped: s.wrapped > 0,
    bytesPerResponse: s.requests ? Math.round(s.bytes / s.requests) : 0,
    raw: out.replace(/^BENCHJSON .*\n?/m, ''),
  }
}
