// scripts/pg.sh: start prints a URL that serves, url repeats it, stop removes the server and its folder.
import { expect, test } from 'bun:test'
import { SQL } from 'bun'
import { existsSync } from 'node:fs'

const PG_SH = new URL('../../scripts/pg.sh', import.meta.url).pathname
const installed = Bun.spawnSync(['bash', '-c', 'ls /usr/lib/postgresql/*/bin/initdb']).exitCode === 0
const asRoot = process.getuid?.() === 0

function pgSh(args: string[], env: Record<string, string> = {}): { code: number; out: string; err: string } {
  const r = Bun.spawnSync(['bash', PG_SH, ...args], { env: { ...process.env, ...env }, stdout: 'pipe', stderr: 'pipe' })
  return { code: r.exitCode, out: r.stdout.toString().trim(), err: r.stderr.toString() }
}

// Without the binaries, start would install Debian's package: the helper's tests cover that path.
test.skipIf(!installed)(
  'start, url and stop: a server on 127.0.0.1 run as an unprivileged user, then nothing left',
  async () => {
    const dir = Bun.spawnSync(['mktemp', '-d']).stdout.toString().trim()
    // The owner stops it should an assertion fail first; `nobody` exercises the fallback for
    // machines without Debian's postgres user.
    const started = pgSh(['start', '--owner', String(process.pid), dir], asRoot ? { PG_USER: 'nobody' } : {})
    expect(started.code).toBe(0)
    expect(started.out).toMatch(/^postgres:\/\/scim@127\.0\.0\.1:\d+\/postgres$/)
    expect(pgSh(['url', dir]).out).toBe(started.out)
    const client = new SQL(started.out, { max: 1 })
    const [row] = await client`SELECT current_user AS who, host(inet_server_addr()) AS addr`
    await client.close()
    expect(row).toEqual({ who: 'scim', addr: '127.0.0.1' })
    if (asRoot) expect(started.err).toContain('as nobody')
    expect(pgSh(['stop', dir]).code).toBe(0)
    expect(existsSync(dir)).toBe(false)
    const gone = new SQL(started.out, { max: 1, connectionTimeout: 5 })
    const refused = await gone`SELECT 1`.then(
      () => undefined,
      (err: Error) => err
    )
    expect(refused).toBeInstanceOf(Error)
    await gone.close()
    expect(pgSh(['url', dir]).code).not.toBe(0)
  },
  // initdb and a server start: seconds on a loaded 2-core machine, more than bun's default 5 s.
  60_000
)
