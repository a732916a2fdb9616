// `scim-server admin add|list|remove`: the admin console's accounts, kept in the server's database.
import { parseFlags } from './parse-flags'
import { openCommandDatabase } from './command-db'
import { databasePath } from './db-path'
import { spawnSync } from 'node:child_process'
import { ADMIN_NAME, type AdminStore, createAdminStore, randomSecret, secretHash } from '../console/admin-store'
import { CONSOLE_PREFIX, LINK_PATH } from '../console/paths'
import { hashPassword, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '../console/passwords'
import { pgAdminStore } from '../store-pg/console-admins'
import { openPgCommandDatabase } from './pg-database'
import { isPostgresUrl } from '../store-pg/url'
import { storageAsDatabaseError, DatabaseError } from '../store/db'

export const ADMIN_USAGE = `Usage:
  scim-server admin add NAME [--link [--url URL]] [--db PATH]
      creates the console account NAME (or sets a new password for it, signing it out everywhere)
      with the password read from standard input (one line, ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters);
      --link instead prints a one-time sign-in link, valid 24 hours, where NAME chooses a password
      (--url is the server's public address, e.g. https://scim.example.com)
  scim-server admin list [--db PATH]
  scim-server admin remove NAME [--db PATH]     deletes the account and ends its sessions
--db (or SCIM_DB) is the server's database file (default ./scim.db); it must exist. A
postgres://… URL names the PostgreSQL database of a server's replicas instead: an account made
there signs in on every replica.`

/** How long a printed sign-in link works. */
const LINK_HOURS = 24

class AdminError extends Error {}
/** A mistake in the command line itself: one line and exit 2, as every other command answers one. */
class AdminUsageError extends AdminError {}

/** Where the command reads its password and writes its lines; main.ts passes the terminal, tests their own. */
export interface AdminIo {
  readPassword(): Promise<string>
  log(line: string): void
  error(line: string): void
}

/** The accounts of the database `path` names, opened for one command; `close` ends the connection. */
async function openAdmins(path: string): Promise<{ admins: AdminStore; close(): Promise<void> }> {
  try {
    if (isPostgresUrl(path)) {
      const sql = await openPgCommandDatabase(path)
      return { admins: pgAdminStore(sql), close: () => sql.close() }
    }
    const { sqlite } = openCommandDatabase(path)
    return { admins: createAdminStore(sqlite), close: async () => sqlite.close() }
  } catch (err) {
    throw new AdminError(err instanceof DatabaseError ? err.message : `cannot open database ${path}: ${String(err)}`)
  }
}

/** Reads one line from standard input; on a terminal, asks for it without echoing it. */
async function readPassword(): Promise<string> {
  const tty = process.stdin.isTTY
  const stty = (arg: string) => spawnSync('stty', [arg], { stdio: ['inherit', 'ignore', 'ignore'] })
  if (tty) {
    process.stderr.write('Password: ')
    stty('-echo')
  }
  try {
    const reader = Bun.stdin.stream().getReader()
    const decoder = new TextDecoder()
    let text = ''
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      text += decoder.decode(value, { stream: true })
      if (text.includes('\n')) break
    }
    reader.releaseLock()
    return text.split(/\r?\n/)[0] ?? ''
  } finally {
    if (tty) {
      stty('echo')
      process.stderr.write('\n')
    }
  }
}

async function run(argv: readonly string[], env: Record<string, string | undefined>, io: AdminIo): Promise<void> {
  let parsed
  try {
    parsed = parseFlags({
      args: [...argv],
      options: {
        db: { type: 'string' },
        link: { type: 'boolean' },
        url: { type: 'string' },
        help: { type: 'boolean' },
      },
      allowPositionals: true,
      strict: true,
    })
  } catch (err) {
    throw new AdminUsageError(`${(err as Error).message.split('\n')[0]} (see admin --help)`)
  }
  const { values, positionals } = parsed
  const [action, name, ...extra] = positionals
  if (values.help || action === undefined) return void io.log(ADMIN_USAGE)
  if (extra.length > 0) throw new AdminUsageError(`unexpected argument '${extra[0]}' (see admin --help)`)
  const wantsName = action === 'add' || action === 'remove'
  if (!['add', 'list', 'remove'].includes(action))
    throw new AdminUsageError(`unknown admin action '${action}': add, list or remove (see admin --help)`)
  if (wantsName && (name === undefined || !ADMIN_NAME.test(name)))
    throw new AdminUsageError(`admin ${action} needs a NAME of letters, digits and . _ @ - (at most 64)`)
  if ((values.link || values.url) && action !== 'add') throw new AdminUsageError('--link and --url go with admin add')
  if (values.url && !values.link) throw new AdminUsageError('--url goes with --link')
  const path = databasePath(values.db, env.SCIM_DB, (m) => new AdminUsageError(m))
  if (path === ':memory:') throw new AdminUsageError('admin needs the database file of the server (--db PATH)')
  // The password is read before the database is opened: a prompt never holds the file open.
  const password = action === 'add' && !values.link ? await io.readPassword() : undefined
  if (password !== undefined && password.length < MIN_PASSWORD_LENGTH)
    throw new AdminError(`the password must have at least ${MIN_PASSWORD_LENGTH} characters`)
  // The sign-in form's bound: a longer password would be stored, then refused at every sign-in.
  if (password !== undefined && password.length > MAX_PASSWORD_LENGTH)
    throw new AdminError(`the password must have at most ${MAX_PASSWORD_LENGTH} characters`)
  const { admins, close } = await openAdmins(path)
  const now = new Date()
  try {
    if (action === 'list') {
      const all = await admins.list()
      if (all.length === 0) io.log('no console accounts; add one with: scim-server admin add NAME')
      for (const a of all) io.log(`${a.name}\tcreated ${a.created}${a.hasPassword ? '' : '\t(no password yet)'}`)
    } else if (action === 'remove') {
      if (!(await admins.remove(name!))) throw new AdminError(`no console account '${name}'`)
      io.log(`removed ${name}; its sessions have ended`)
    } else if (password !== undefined) {
      const { existed } = await admins.save(name!, await hashPassword(password), now.toISOString())
      if (existed) await admins.endSessionsOf(name!)
      io.log(existed ? `new password set for ${name}; its sessions have ended` : `added ${name}`)
    } else {
      await admins.save(name!, null, now.toISOString())
      const token = randomSecret()
      const expires = new Date(now.getTime() + LINK_HOURS * 3600_000).toISOString()
      await admins.createLink(secretHash(token), name!, now.toISOString(), expires)
      const base = (values.url ?? '').replace(/\/+$/, '')
      io.log(`Sign-in link for ${name} (works once, until ${expires}):`)
      io.log(`${base || 'https://YOUR-SERVER'}${CONSOLE_PREFIX}${LINK_PATH}?token=${token}`)
    }
  } finally {
    await close()
  }
}

/** Runs `admin` with the words after it; returns the exit status: 0 done, 1 failed, 2 a usage mistake. */
export async function runAdminCommand(
  argv: readonly string[],
  env: Record<string, string | undefined>,
  io: AdminIo
): Promise<number> {
  try {
    await run(argv, env, io)
    return 0
  } catch (thrown) {
    const err = storageAsDatabaseError(thrown)
    if (!(err instanceof AdminError || err instanceof DatabaseError)) throw err
    io.error(`scim-server: ${err.message}`)
    return err instanceof AdminUsageError ? 2 : 1
  }
}

/** main.ts's entry: the terminal for the password and the lines, the exit status for the process. */
export async function adminCommand(argv: readonly string[], env: Record<string, string | undefined>): Promise<void> {
  process.exitCode = await runAdminCommand(argv, env, {
    readPassword,
    log: (line) => console.log(line),
    error: (line) => console.error(line),
  })
}
