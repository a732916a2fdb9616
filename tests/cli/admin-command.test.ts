// `scim-server admin add` on a SQLite file: the password bounds are the sign-in form's, so every account it makes can sign in.
import { afterEach, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runAdminCommand } from '../../src/cli/admin-command'
import { MAX_PASSWORD_LENGTH } from '../../src/console/passwords'
import { createScimServer } from '../../src/server'

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

/** A database file a server has created, closed again. */
function serverDb(): string {
  const dir = mkdtempSync(join(tmpdir(), 'admin-cli-'))
  dirs.push(dir)
  const db = join(dir, 'scim.db')
  createScimServer({ db, tokenHashes: [] }).store.close()
  return db
}

async function admin(argv: string[], password = '') {
  const out: string[] = []
  const code = await runAdminCommand(
    argv,
    {},
    { readPassword: async () => password, log: (l) => out.push(l), error: (l) => out.push(l) }
  )
  return { code, output: out.join('\n') }
}

describe('cli/admin-command', () => {
  test('a password longer than sign-in takes is refused, and no account is made with it', async () => {
    const db = serverDb()
    const long = await admin(['add', 'ada', '--db', db], 'x'.repeat(MAX_PASSWORD_LENGTH + 1))
    expect(long).toEqual({
      code: 1,
      output: `scim-server: the password must have at most ${MAX_PASSWORD_LENGTH} characters`,
    })
    expect((await admin(['list', '--db', db])).output).toStartWith('no console accounts')
    expect((await admin(['add', 'ada', '--db', db], 'x'.repeat(MAX_PASSWORD_LENGTH))).output).toBe('added ada')
  })
})
