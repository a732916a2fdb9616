// `scim-server admin` against the binary, beside a running server that signs the accounts in at /admin.
import { describe, expect, test } from 'bun:test'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ensureBinary, REPO_ROOT } from '../helpers/binary'
import { signInOverHttp } from '../helpers/console'
import { freePort, spawnBinary } from '../helpers/process'
import { HAS_OPENSSL, spawnTlsBinary } from '../helpers/tls'

async function admin(args: string[], stdin = ''): Promise<{ code: number; output: string }> {
  const proc = Bun.spawn([await ensureBinary(), 'admin', ...args], {
    cwd: REPO_ROOT,
    stdin: new Blob([stdin]),
    stdout: 'pipe',
    stderr: 'pipe',
  })
  const [out, err, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ])
  return { code, output: out + err }
}

const signIn = signInOverHttp

describe('scim-server admin', () => {
  test('refuses a database that does not exist, and creates none', async () => {
    const db = join(mkdtempSync(join(tmpdir(), 'scim-admin-')), 'scim.db')
    const { code, output } = await admin(['add', 'ada', '--db', db], 'a long enough password\n')
    expect(code).toBe(1)
    expect(output).toContain('no database at')
    expect(await Bun.file(db).exists()).toBe(false)
  })

  test('usage errors, a bad name among them, exit 2 as every command does; a short password exits 1', async () => {
    expect((await admin(['frob'])).code).toBe(2)
    expect((await admin(['add', 'bad name!', '--db', 'x.db'])).code).toBe(2)
    const db = join(mkdtempSync(join(tmpdir(), 'scim-admin-')), 'scim.db')
    const server = await spawnBinary(['--port', String(await freePort()), '--host', '127.0.0.1', '--db', db])
    await server.waitFor('Database:')
    const short = await admin(['add', 'ada', '--db', db], 'short\n')
    expect(short.code).toBe(1)
    expect(short.output).toContain('at least 12 characters')
    server.proc.kill('SIGTERM')
    await server.proc.exited
  }, 30_000)

  test('add, sign in, list, link, remove: beside a running server', async () => {
    const db = join(mkdtempSync(join(tmpdir(), 'scim-admin-')), 'scim.db')
    const port = await freePort()
    const base = `http://127.0.0.1:${port}`
    const server = await spawnBinary(['--port', String(port), '--host', '127.0.0.1', '--db', db])
    await server.waitFor('Database:')
    try {
      const added = await admin(['add', 'ada', '--db', db], 'correct horse battery\n')
      expect(added).toEqual({ code: 0, output: 'added ada\n' })
      expect((await signIn(base, 'ada', 'wrong password!!')).status).toBe(401)
      const { cookie, status } = await signIn(base, 'ada', 'correct horse battery')
      expect(status).toBe(303)
      const dashboard = await fetch(`${base}/admin`, { headers: { cookie: cookie! }, redirect: 'manual' })
      expect(dashboard.status).toBe(200)

      const link = await admin(['add', 'grace', '--link', '--url', `${base}/`, '--db', db])
      expect(link.code).toBe(0)
      const url = /(http:\S+\/admin\/link\?token=\S+)/.exec(link.output)![1]!
      expect(url.startsWith(`${base}/admin/link?token=`)).toBe(true)
      expect((await fetch(url)).status).toBe(200)

      const list = await admin(['list', '--db', db])
      expect(list.output).toMatch(/^ada\tcreated \S+\ngrace\tcreated \S+\t\(no password yet\)\n$/)

      expect((await admin(['remove', 'ada', '--db', db])).code).toBe(0)
      // Its session ended at once, in the running server.
      const after = await fetch(`${base}/admin`, { headers: { cookie: cookie! }, redirect: 'manual' })
      expect(after.status).toBe(303)
      expect((await admin(['remove', 'ada', '--db', db])).code).toBe(1)
    } finally {
      server.proc.kill('SIGTERM')
      await server.proc.exited
    }
  }, 60_000)
})

test.skipIf(!HAS_OPENSSL)(
  'over the server’s TLS the console is served with Secure cookies',
  async () => {
    const { child, port } = await spawnTlsBinary('t')
    try {
      await child.waitFor('Tenant URL:')
      const res = await fetch(`https://127.0.0.1:${port}/admin/sign-in`, { tls: { rejectUnauthorized: false } })
      expect(res.status).toBe(200)
      const cookie = res.headers.getSetCookie()[0]!
      expect(cookie).toStartWith('scim_console_form=')
      expect(cookie).toContain('; Secure')
      expect(cookie).toContain('HttpOnly')
      const css = await fetch(`https://127.0.0.1:${port}/admin/console.css`, { tls: { rejectUnauthorized: false } })
      expect(css.headers.get('content-type')).toStartWith('text/css')
    } finally {
      child.proc.kill('SIGTERM')
      await child.proc.exited
    }
  },
  30_000
)
