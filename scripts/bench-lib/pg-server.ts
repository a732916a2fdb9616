// The bench's throwaway PostgreSQL: started with scripts/pg.sh pinned to the server core, a fresh database per use, stopped at the end.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { SQL } from 'bun'
import { procTicks } from './pg-profile'

export interface BenchPostgres {
  /** postgres://…/postgres, the maintenance database. */
  url: string
  dir: string
  version: string
  postmasterPid: number
  /** The postmaster's CPU affinity as taskset reports it (backends inherit it when forked). */
  affinity: string
  /** A new, empty database; its URL. */
  freshDatabase(name: string): Promise<string>
  /** CPU ticks (utime + stime, 1/100 s) of the postmaster and every process it forked. */
  cpuTicks(): number
  /**
   * The statements every session sent while `fn` ran, as the server log shows them
   * (`statement: …` simple protocol, `execute <name>: …` a prepared one, `<unnamed>` not kept).
   * log_statement is on only meanwhile: logging every statement under load would cost time.
   */
  statementsDuring(fn: () => Promise<unknown>): Promise<string[]>
  stop(): Promise<void>
}

const PG_SH = new URL('../pg.sh', import.meta.url).pathname

async function output(cmd: string[]): Promise<string> {
  const proc = Bun.spawn(cmd, { stdout: 'pipe', stderr: 'pipe' })
  const [out, err, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ])
  if (code !== 0) throw new Error(`${cmd.join(' ')} exited with ${code}: ${err.trim()}`)
  return out.trim()
}

function childrenOf(parent: number): number[] {
  const out: number[] = []
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8')
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      if (ppid === parent) out.push(Number(name))
    } catch {}
  }
  return out
}

/**
 * Starts PostgreSQL with scripts/pg.sh under `taskset -c core`, so the postmaster and every
 * backend it forks share the server core with the server under test. Its folder is outside the
 * bench's temp dir, and pg.sh's `--owner` stops it once this process is gone however it ended.
 */
export async function startBenchPostgres(core: number): Promise<BenchPostgres> {
  const dir = mkdtempSync(`${tmpdir()}/scim-bench-pg.`)
  const url = await output(['taskset', '-c', String(core), 'bash', PG_SH, 'start', '--owner', String(process.pid), dir])
  const admin = new SQL(url, { max: 1 })
  const [row] = (await admin`SHOW server_version`) as { server_version: string }[]
  const postmasterPid = Number(readFileSync(`${dir}/data/postmaster.pid`, 'utf8').split('\n')[0])
  const affinity = await output(['taskset', '-c', '-p', String(postmasterPid)])
  let stopped: Promise<void> | undefined
  return {
    url,
    dir,
    version: row?.server_version ?? '?',
    postmasterPid,
    affinity,
    async freshDatabase(name) {
      // Names come from the bench itself (letters, digits, _), never from input.
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name}`)
      await admin.unsafe(`CREATE DATABASE ${name}`)
      return url.replace(/\/[^/]*$/, `/${name}`)
    },
    cpuTicks: () => [postmasterPid, ...childrenOf(postmasterPid)].reduce((n, pid) => n + procTicks(pid), 0),
    async statementsDuring(fn) {
      const log = `${dir}/server.log`
      await admin`ALTER SYSTEM SET log_statement = 'all'`
      await admin`SELECT pg_reload_conf()`
      await Bun.sleep(300) // every backend, idle ones too, reads the file again on the signal
      const offset = Bun.file(log).size
      await fn()
      await Bun.sleep(300) // the log collector writes asynchronously
      const text = readFileSync(log).subarray(offset).toString('utf8')
      await admin`ALTER SYSTEM RESET log_statement`
      await admin`SELECT pg_reload_conf()`
      await Bun.sleep(300)
      return text
        .split('\n')
        .map((l) => /LOG: {2}(statement|execute [^:]*): (.*)$/.exec(l))
        .filter((m): m is RegExpExecArray => m !== null)
        .map((m) => `${m[1]}: ${m[2]!.replace(/\s+/g, ' ').slice(0, 100)}`)
        .filter((s) => !s.includes('ALTER SYSTEM'))
    },
    stop: () =>
      (stopped ??= (async () => {
        await admin.close().catch(() => {})
        await output(['bash', PG_SH, 'stop', dir])
      })()),
  }
}
