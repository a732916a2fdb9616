// `scim-server token …`: issue, list, revoke and reset tenants' bearer tokens in the database a server uses.
import { parseFlags, strayFlag } from './parse-flags'
import { openCommandDatabase } from './command-db'
import { databasePath } from './db-path'
import {
  issueTokenRecord,
  listTokens,
  resetTokens,
  revokeToken,
  TOKEN_SCOPES,
  TokenAdminError,
  type IssuedToken,
  type IssueOptions,
  type TokenInfo,
} from '../auth/token-admin'
import type { Database } from 'bun:sqlite'
import { isPostgresUrl } from '../store-pg/url'
import { awaited, type Effect, run } from '../service/effect'
import { pgIssueToken, pgListTokens, pgResetTokens, pgRevokeToken } from '../store-pg/tokens'
import { storageAsDatabaseError, DatabaseError } from '../store/db'
import { DurationError, parseDuration } from './duration'
import { pgCommandDatabase } from './pg-database'

export const TOKEN_USAGE = `Usage:
  scim-server token [--tenant NAME] [--name LABEL] [--scope provision|read|metrics] [--expires 90d]
                                  issue a token (printed once; only its hash is stored)
  scim-server token --tenant NAME --reset [--name LABEL] [--scope S] [--expires D]
                                  issue one and revoke the tenant's others
  scim-server token list [--tenant NAME]
                                  id, tenant, name, scope, created, expires, last used
  scim-server token revoke ID     revoke one token

  --db PATH (SCIM_DB, default ./scim.db) is the server's database file; it must exist. A
  postgres://… URL names the PostgreSQL database of a server's replicas instead.
  --tenant defaults to 'default'. Scopes: provision (full SCIM access), read (GET, POST .search
  and discovery only), metrics (GET /metrics only; default tenant). --expires takes a whole
  number and d, h, m or s. A running server sees every change within a second.`

/** What the command prints, and where; main.ts passes the console, tests a recorder. */
export interface Output {
  log(line: string): void
  error(line: string): void
}

/** A mistake on the command line: one line, exit 2. */
class TokenUsageError extends Error {}

const OPTIONS = {
  db: { type: 'string' },
  tenant: { type: 'string' },
  name: { type: 'string' },
  scope: { type: 'string' },
  expires: { type: 'string' },
  reset: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const

type Action =
  | { kind: 'help' }
  | { kind: 'issue'; tenant: string; label?: string; scope: string; expires?: Date; reset: boolean }
  | { kind: 'list'; tenant?: string }
  | { kind: 'revoke'; id: string }

interface Parsed {
  db: string
  action: Action
}

/** Refuses options that `action` does not take, naming the first one. */
function only(values: Record<string, unknown>, action: string, allowed: readonly string[]): void {
  const extra = strayFlag(values, allowed)
  if (extra !== undefined) throw new TokenUsageError(`token ${action} does not take --${extra}`)
}

function parse(argv: readonly string[], env: Record<string, string | undefined>, now: Date): Parsed {
  let parsed
  try {
    parsed = parseFlags({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true })
  } catch (err) {
    throw new TokenUsageError(`${(err as Error).message.split('\n')[0]} (see token --help)`)
  }
  const { values, positionals } = parsed
  const db = databasePath(values.db, env.SCIM_DB, (m) => new TokenUsageError(m))
  if (values.help) return { db, action: { kind: 'help' } }
  const [verb, ...rest] = positionals
  if (verb === 'list') {
    if (rest.length > 0) throw new TokenUsageError(`unexpected argument '${rest[0]}' (see token --help)`)
    only(values, 'list', ['db', 'tenant'])
    return { db, action: { kind: 'list', tenant: values.tenant } }
  }
  if (verb === 'revoke') {
    if (rest.length !== 1) throw new TokenUsageError('token revoke needs one token ID (see token list)')
    only(values, 'revoke', ['db'])
    return { db, action: { kind: 'revoke', id: rest[0]! } }
  }
  if (verb !== undefined) throw new TokenUsageError(`unknown token command '${verb}' (see token --help)`)
  const scope = values.scope ?? 'provision'
  if (!(TOKEN_SCOPES as readonly string[]).includes(scope))
    throw new TokenUsageError(`--scope must be ${TOKEN_SCOPES.join(', ')}, got '${scope}'`)
  let expires: Date | undefined
  try {
    if (values.expires !== undefined) expires = new Date(now.getTime() + parseDuration(values.expires))
  } catch (err) {
    if (err instanceof DurationError) throw new TokenUsageError(`--expires: ${err.message}`)
    throw err
  }
  // Past the last time a Date holds (year 275760) there is no expiry to store; it was refused as
  // "a token must expire in the future", which is not what was wrong.
  if (expires !== undefined && Number.isNaN(expires.getTime()))
    throw new TokenUsageError(`--expires: '${values.expires}' ends after the last date there is; give a shorter one`)
  return {
    db,
    action: {
      kind: 'issue',
      tenant: values.tenant ?? 'default',
      label: values.name,
      scope,
      expires,
      reset: values.reset ?? false,
    },
  }
}

/** ISO time to the second, `-` for none. */
function shown(time: string | null): string {
  return time === null ? '-' : time.replace(/\.\d{3}Z$/, 'Z')
}

function tableLines(tokens: readonly TokenInfo[], now: Date): string[] {
  const rows = [
    ['ID', 'TENANT', 'NAME', 'SCOPE', 'CREATED', 'EXPIRES', 'LAST USED'],
    ...tokens.map((t) => [
      t.id,
      t.tenant,
      t.label ?? '-',
      t.scope,
      shown(t.created),
      t.expires !== null && Date.parse(t.expires) <= now.getTime() ? `${shown(t.expires)} (expired)` : shown(t.expires),
      shown(t.lastUsed),
    ]),
  ]
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)))
  return rows.map((r) =>
    r
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join('  ')
      .trimEnd()
  )
}

function issued({ record, token }: IssuedToken, reset: boolean): string[] {
  const about = `Token ${record.id} of tenant ${record.tenant}: scope ${record.scope}, expires ${record.expires === null ? 'never' : shown(record.expires)}.`
  return [
    `Secret Token: ${token}`,
    about,
    reset
      ? `Every other token of tenant ${record.tenant} is revoked (a running server refuses them within a second).`
      : 'Earlier tokens stay valid; `token revoke ID` or --reset revokes them.',
  ]
}

/**
 * Runs `token` with the words after it; returns the exit code: 0 done, 1 the database or the
 * token is not there, 2 a usage mistake (unknown tenant, bad scope, bad duration included).
 */
export function runTokenCommand(
  argv: readonly string[],
  env: Record<string, string | undefined>,
  out: Output,
  now = new Date()
): number | Promise<number> {
  let parsed: Parsed
  try {
    parsed = parse(argv, env, now)
  } catch (err) {
    if (!(err instanceof TokenUsageError)) throw err
    out.error(`scim-server: ${err.message}`)
    return 2
  }
  const { db: path, action } = parsed
  if (action.kind === 'help') {
    out.log(TOKEN_USAGE)
    return 0
  }
  if (path === ':memory:') {
    out.error('scim-server: token needs a database file (--db PATH)')
    return 2
  }
  const table = isPostgresUrl(path) ? pgTokenTable(path) : sqliteTokenTable(path, out)
  return table === undefined ? 1 : run(command(action, table, out, now))
}

/** The tokens table as effects (src/service/effect.ts): at once on SQLite, awaited on PostgreSQL, one command code for both. */
interface TokenTable {
  list(tenant: string | undefined): Effect<TokenInfo[]>
  revoke(id: string): Effect<boolean>
  issue(options: IssueOptions, now: Date): Effect<IssuedToken>
  reset(tenant: string, options: Omit<IssueOptions, 'tenant'>, now: Date): Effect<IssuedToken>
  close(): Effect<void>
}

function sqliteTokenTable(path: string, out: Output): TokenTable | undefined {
  let db: Database
  try {
    db = openCommandDatabase(path).sqlite
  } catch (err) {
    out.error(`scim-server: ${err instanceof DatabaseError ? err.message : (err as Error).message}`)
    return undefined
  }
  return {
    *list(tenant) {
      return listTokens(db, tenant)
    },
    *revoke(id) {
      return revokeToken(db, id)
    },
    *issue(options, now) {
      return issueTokenRecord(db, options, now)
    },
    *reset(tenant, options, now) {
      return resetTokens(db, tenant, options, now)
    },
    *close() {
      db.close()
    },
  }
}

function pgTokenTable(url: string): TokenTable {
  const { sql, ready } = pgCommandDatabase(url)
  return {
    *list(tenant) {
      yield* awaited(ready)
      return yield* awaited(pgListTokens(sql, tenant))
    },
    *revoke(id) {
      yield* awaited(ready)
      return yield* awaited(pgRevokeToken(sql, id))
    },
    *issue(options, now) {
      yield* awaited(ready)
      return yield* awaited(pgIssueToken(sql, options, now))
    },
    *reset(tenant, options, now) {
      yield* awaited(ready)
      return yield* awaited(pgResetTokens(sql, tenant, options, now))
    },
    *close() {
      yield* awaited(sql.close())
    },
  }
}

function* command(
  action: Exclude<Action, { kind: 'help' }>,
  table: TokenTable,
  out: Output,
  now: Date
): Effect<number> {
  try {
    switch (action.kind) {
      case 'list':
        for (const line of tableLines(yield* table.list(action.tenant), now)) out.log(line)
        return 0
      case 'revoke':
        if (!(yield* table.revoke(action.id))) {
          out.error(`scim-server: no token with id '${action.id}' (see token list)`)
          return 1
        }
        out.log(`Token ${action.id} is revoked (a running server refuses it within a second).`)
        return 0
      case 'issue': {
        const options = { label: action.label, scope: action.scope, expires: action.expires }
        const result = action.reset
          ? yield* table.reset(action.tenant, options, now)
          : yield* table.issue({ ...options, tenant: action.tenant }, now)
        for (const line of issued(result, action.reset)) out.log(line)
        return 0
      }
    }
  } catch (thrown) {
    const err = storageAsDatabaseError(thrown)
    if (!(err instanceof TokenAdminError || err instanceof DatabaseError)) throw err
    out.error(`scim-server: ${err.message}`)
    return err instanceof DatabaseError ? 1 : 2
  } finally {
    yield* table.close()
  }
}

/** main.ts's entry: the console for output, the exit code for the process. */
export async function tokenCommand(argv: readonly string[], env: Record<string, string | undefined>): Promise<void> {
  process.exitCode = await runTokenCommand(argv, env, console)
}
