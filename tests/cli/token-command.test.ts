// `scim-server token …` in process: what each form prints, stores and exits with.
import { describe, expect, test } from 'bun:test'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { resolveToken, storedTokens } from '../../src/auth/token-registry'
import { runTokenCommand } from '../../src/cli/token-command'
import { openDatabase } from '../../src/store/db'

const NOW = new Date('2026-06-01T12:00:00.000Z')

function database(): string {
  const path = join(mkdtempSync(join(tmpdir(), 'scim-token-cmd-')), 'scim.db')
  const { sqlite } = openDatabase(path)
  sqlite.run("INSERT INTO tenants (name, created) VALUES ('acme', '2026-01-01T00:00:00Z')")
  sqlite.close()
  return path
}

function run(argv: string[], env: Record<string, string> = {}, now = NOW) {
  const lines: string[] = []
  const errors: string[] = []
  const code = runTokenCommand(argv, env, { log: (l) => lines.push(l), error: (l) => errors.push(l) }, now)
  return { code, out: lines.join('\n'), err: errors.join('\n') }
}

const secret = (out: string) => /^Secret Token: (\S+)$/m.exec(out)![1]!

function resolved(db: string, token: string, at = NOW.getTime()) {
  const { sqlite } = openDatabase(db)
  try {
    return resolveToken(storedTokens(sqlite), token, at)
  } finally {
    sqlite.close()
  }
}

describe('token command', () => {
  test('issues a token of the default tenant by default, printed once', () => {
    const db = database()
    const { code, out, err } = run(['--db', db])
    expect({ code, err }).toEqual({ code: 0, err: '' })
    expect(resolved(db, secret(out))).toMatchObject({ tenant: 'default', scope: 'provision', expires: null })
    expect(out).toContain('expires never')
  })

  test('--tenant, --name, --scope and --expires go into the record; SCIM_DB names the file', () => {
    const db = database()
    const { code, out } = run(['--tenant', 'acme', '--name', 'hr app', '--scope', 'read', '--expires', '90d'], {
      SCIM_DB: db,
    })
    expect(code).toBe(0)
    expect(resolved(db, secret(out))).toMatchObject({
      tenant: 'acme',
      label: 'hr app',
      scope: 'read',
      expires: '2026-08-30T12:00:00.000Z',
    })
    expect(out).toContain('expires 2026-08-30T12:00:00Z')
  })

  test('list shows id, tenant, name, scope, created, expires and last used; never a secret', () => {
    const db = database()
    const a = secret(run(['--db', db, '--tenant', 'acme', '--name', 'one']).out)
    run(['--db', db, '--expires', '1h'], {}, new Date('2026-05-01T00:00:00Z'))
    const all = run(['--db', db, 'list'])
    expect(all.code).toBe(0)
    const lines = all.out.split('\n')
    expect(lines[0]).toMatch(/^ID +TENANT +NAME +SCOPE +CREATED +EXPIRES +LAST USED$/)
    expect(lines[1]).toMatch(/^[0-9a-f]{12} +acme +one +provision +2026-06-01T12:00:00Z +- +-$/)
    expect(lines[2]).toMatch(
      /^[0-9a-f]{12} +default +- +provision +2026-05-01T00:00:00Z +2026-05-01T01:00:00Z \(expired\) +-$/
    )
    expect(all.out).not.toContain(a)
    const acme = run(['--db', db, 'list', '--tenant', 'acme']).out.split('\n')
    expect(acme).toHaveLength(2)
  })

  test('revoke removes one token by id; an unknown id is exit 1', () => {
    const db = database()
    const token = secret(run(['--db', db]).out)
    const id = run(['--db', db, 'list']).out.split('\n')[1]!.split(' ')[0]!
    expect(run(['--db', db, 'revoke', id])).toMatchObject({ code: 0 })
    expect(resolved(db, token)).toBeUndefined()
    expect(run(['--db', db, 'revoke', id])).toEqual({
      code: 1,
      out: '',
      err: `scim-server: no token with id '${id}' (see token list)`,
    })
  })

  test("--reset issues one and revokes the tenant's others only", () => {
    const db = database()
    const old = secret(run(['--db', db, '--tenant', 'acme']).out)
    const other = secret(run(['--db', db]).out)
    const fresh = run(['--db', db, '--tenant', 'acme', '--reset'])
    expect(fresh.out).toContain('Every other token of tenant acme is revoked')
    expect(resolved(db, old)).toBeUndefined()
    expect(resolved(db, secret(fresh.out))).toMatchObject({ tenant: 'acme' })
    expect(resolved(db, other)).toMatchObject({ tenant: 'default' })
  })

  test.each([
    [['--tenant', 'nosuch'], "no tenant named 'nosuch'"],
    [['--scope', 'admin'], "--scope must be provision, read, metrics, got 'admin'"],
    [['--expires', '90'], "--expires: '90' is not a duration"],
    [['--expires', '3mo'], "--expires: '3mo' is not a duration"],
    [['--expires', '999999999d'], "--expires: '999999999d' ends after the last date there is"],
    [['--tenant', 'acme', '--scope', 'metrics'], 'metrics tokens belong to the default tenant'],
    [['list', '--tenant', 'nosuch'], "no tenant named 'nosuch'"],
    [['list', '--scope', 'read'], 'token list does not take --scope'],
    [['revoke'], 'token revoke needs one token ID'],
    [['revoke', 'a', 'b'], 'token revoke needs one token ID'],
    [['revoke', 'a', '--tenant', 'acme'], 'token revoke does not take --tenant'],
    [['rotate'], "unknown token command 'rotate'"],
    [['--frobnicate'], 'see token --help'],
  ])('%p is one line and exit 2, and stores nothing', (args, message) => {
    const db = database()
    const { code, out, err } = run(['--db', db, ...args])
    expect(code).toBe(2)
    expect(out).toBe('')
    expect(err).toContain(message)
    expect(err.split('\n')).toHaveLength(1)
    expect(run(['--db', db, 'list']).out.split('\n')).toHaveLength(1)
  })

  test('a database that does not exist is refused, not created; :memory: is refused', () => {
    const missing = join(mkdtempSync(join(tmpdir(), 'scim-token-cmd-')), 'nope.db')
    expect(run(['--db', missing])).toMatchObject({ code: 1, out: '' })
    expect(run(['--db', missing]).err).toContain(`no database at ${missing}`)
    expect(run(['--db', ':memory:'])).toMatchObject({
      code: 2,
      err: 'scim-server: token needs a database file (--db PATH)',
    })
  })

  test('--help prints the forms', () => {
    const { code, out } = run(['--help'])
    expect(code).toBe(0)
    expect(out).toContain('scim-server token list [--tenant NAME]')
  })
})
