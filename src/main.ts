// The composition root: read argv/env, open storage, build the app, listen, and shut down cleanly.
import { openCommandDatabase } from './cli/command-db'
import type { Server } from 'bun'
import { hostname } from 'node:os'
import { resolve } from 'node:path'
import { parseCommandLine, USAGE, UsageError, type Config } from './cli/args'
import { stopQuietlyOnBrokenPipe } from './cli/broken-pipe'
import { adminCommand } from './cli/admin-command'
import { backupDatabase, CommandError, restoreDatabase } from './cli/backup'
import { readSchemaFile } from './cli/schema-files'
import { tokenCommand } from './cli/token-command'
import { tenantCommand } from './cli/tenant-command'
import {
  exportCommand,
  sqliteSnapshot,
  importCommand,
  pgTransferServer,
  takeTenantFlag,
  type TransferServer,
} from './cli/transfer'
import { issueToken, storedTokenHashes } from './cli/token-store'
import { listenOrigin } from './cli/listen-url'
import { printable } from './cli/printable'
import { generateToken, hashToken } from './auth/tokens'
import { rememberListener } from './http/client-address'
import { API_PREFIX } from './http/app'
import { listenerError, metricsListenerFetch } from './http/listeners'
import { certificateNotAfter } from './http/certificate'
import { listenReloadable, type PemPair, type ReloadableListener } from './http/tls-listener'
import { createLogger, type Logger } from './log/logger'
import { serverBodyBackstop } from './scim/limits'
import { createScimServer, type ScimServer, type ServerOptions } from './server'
import { createPgScimServer, type PgScimServer } from './server-pg'
import { isPostgresUrl, shownPostgresUrl } from './store-pg/url'
import { selftest } from './selftest/cli'
import { journalCommand } from './cli/journal-command'
import { migrateDbCommand } from './cli/migrate-db'
import { healthCommand } from './cli/health-command'
import { keepJournalFor, pruneJournal } from './journal/retention'
import { pgPruneJournal } from './store-pg/journal-prune'
import { DatabaseError, type openDatabase } from './store/db'
import { DatabaseInUseError, lockServedDatabase, type ServerLock } from './store/server-lock'
import { VERSION } from './version'
import { reportFailure } from './cli/report-failure'
import { readPem, warnOfExpiry } from './cli/tls-files'

function fail(message: string, code = 1): never {
  console.error(`scim-server: ${message}`)
  process.exit(code)
}

/** Opens an existing database for an admin command: only `serve` creates one. */
function openOrFail(config: Config): ReturnType<typeof openDatabase> {
  try {
    return openCommandDatabase(config.db, false, config.durability)
  } catch (err) {
    return fail(
      err instanceof DatabaseError ? err.message : `cannot open database ${config.db}: ${(err as Error).message}`
    )
  }
}

/** The PEM files, read before anything touches the database, so a wrong path fails the start cleanly. */
function readTls(config: Config): Promise<PemPair | undefined> {
  return readPem(config.tlsCert, config.tlsKey).catch((err: Error) => fail(err.message))
}

/**
 * One server per database file. Taken before the database is opened, so a second server (a newer
 * build, say) never migrates it under the first.
 */
function lockOrFail(config: Config): ServerLock | undefined {
  try {
    return lockServedDatabase(config.db)
  } catch (err) {
    const known = err instanceof DatabaseInUseError || err instanceof DatabaseError
    return fail(known ? err.message : `cannot lock database ${config.db}: ${(err as Error).message}`)
  }
}

/** The server options the flags describe (schemas, packs, limits), for either store. */
async function serverOptions(
  config: Config,
  tokenHashes: readonly Buffer[] | undefined,
  logger?: Logger
): Promise<ServerOptions> {
  const extraSchemas = [
    ...(await Promise.all(config.userSchemas.map(readSchemaFile))).map((schema) => ({
      schema,
      resourceType: 'User' as const,
    })),
    ...(await Promise.all(config.groupSchemas.map(readSchemaFile))).map((schema) => ({
      schema,
      resourceType: 'Group' as const,
    })),
  ]
  return {
    db: config.db,
    durability: config.durability,
    tokenHashes,
    baseUrl: config.baseUrl,
    schemaPacks: config.schemaPacks,
    extraSchemas,
    maxResults: config.maxResults,
    limits: config.limits,
    logger,
    rateLimit: config.rateLimit,
    allowFrom: config.allowFrom.length > 0 ? config.allowFrom : undefined,
    // A benchmark switch only: measures what the journal costs (scripts/bench); never for production.
    journaling: process.env.SCIM_JOURNAL !== 'off',
    // Pushed change events go through the proxy the environment names, as fetch would.
    events: { push: { proxyEnv: process.env } },
  }
}

function startFailure(err: unknown): never {
  return fail(
    err instanceof UsageError || err instanceof DatabaseError ? err.message : `cannot start: ${(err as Error).message}`
  )
}

/** The server the flags describe; `serve` listens with it, admin commands use its services. */
async function buildServer(
  config: Config,
  tokenHashes: readonly Buffer[] | undefined,
  logger?: Logger
): Promise<ScimServer> {
  try {
    return createScimServer(await serverOptions(config, tokenHashes, logger))
  } catch (err) {
    return startFailure(err)
  }
}

/** --journal-retention: prunes hourly, saying in the log what went or what failed. */
function keepJournal(
  days: number,
  logger: Logger,
  prune: (cutoff: string, stopped: () => boolean) => number | Promise<number>
): () => void {
  return keepJournalFor(prune, days, (pruned, error) =>
    error
      ? logger.error({ err: String(error) }, 'journal retention: pruning failed, retried in an hour')
      : logger.info({ pruned }, 'journal retention: pruned old entries')
  )
}

/** What `serve` needs of a built server, whichever store is behind it. */
interface Served {
  app: { handle(request: Request): Response | Promise<Response> }
  metrics: ScimServer['metrics']
  endWaits(): void
  /** The default tenant's first token when the database has none that works (issued once it listens). */
  issueFirstToken(): Promise<string | undefined>
  /** Flushes writes, closes the database, lets another server have it. */
  close(): Promise<void>
  /** The start banner's Database line. */
  database: string
}

async function servedOnSqlite(config: Config, tokenHashes: Buffer[] | undefined, logger: Logger): Promise<Served> {
  const lock = lockOrFail(config)
  const server = await buildServer(config, tokenHashes, logger)
  const stopPruning =
    config.journalRetentionDays === undefined
      ? undefined
      : keepJournal(config.journalRetentionDays, logger, (cutoff, stopped) =>
          pruneJournal(server.sqlite, cutoff, undefined, stopped)
        )
  return {
    app: server.app,
    metrics: server.metrics,
    endWaits: server.endWaits,
    async issueFirstToken() {
      // Given tokens (--token, :memory:'s) leave the table alone.
      if (tokenHashes || storedTokenHashes(server.sqlite).length > 0) return undefined
      const token = issueToken(server.sqlite, false)
      server.tenantsChanged() // served from the moment it is printed
      return token
    },
    async close() {
      // A prune between its chunks goes no further: the database is closing.
      stopPruning?.()
      server.store.close()
      lock?.release()
    },
    database: config.db === ':memory:' ? ':memory: (nothing is kept after exit)' : resolve(config.db),
  }
}

async function servedOnPostgres(config: Config, tokenHashes: Buffer[] | undefined, logger: Logger): Promise<Served> {
  let server: PgScimServer
  try {
    server = await createPgScimServer(await serverOptions(config, tokenHashes, logger))
  } catch (err) {
    if (err instanceof UsageError || err instanceof DatabaseError) return startFailure(err)
    return fail(`cannot use the database ${shownPostgresUrl(config.db)}: ${(err as Error).message}`)
  }
  if (config.journalRetentionDays !== undefined)
    keepJournal(config.journalRetentionDays, logger, (cutoff) => pgPruneJournal(server.sql, cutoff))
  return {
    app: server.app,
    metrics: server.metrics,
    endWaits: server.endWaits,
    issueFirstToken: () => (tokenHashes ? Promise.resolve(undefined) : server.issueFirstToken()),
    close: () => server.close(),
    database: `${shownPostgresUrl(config.db)} (PostgreSQL)`,
  }
}

async function serve(config: Config): Promise<void> {
  const tls = await readTls(config)
  const onPostgres = isPostgresUrl(config.db)
  // Given tokens are used as they are; a throwaway in-memory database gets a fresh one each time;
  // otherwise the database's, the first of which is issued only once the server listens.
  let generated: string | undefined
  let tokenHashes: Buffer[] | undefined
  if (config.tokens.length > 0) tokenHashes = config.tokens.map(hashToken)
  else if (config.db === ':memory:') {
    generated = generateToken()
    tokenHashes = [hashToken(generated)]
  }
  // JSON for log shippers unless a person watches the terminal; stdout, so one stream holds it all.
  const logger = createLogger({
    format: config.logFormat ?? (process.stdout.isTTY ? 'text' : 'json'),
    level: config.logLevel,
  })
  const server = onPostgres
    ? await servedOnPostgres(config, tokenHashes, logger)
    : await servedOnSqlite(config, tokenHashes, logger)
  let listening: { readonly port: number | undefined; stop(closeActiveConnections: boolean): Promise<void> }
  // Only HTTPS has a certificate to read again on SIGHUP.
  let reloadable: ReloadableListener | undefined
  const options = {
    port: config.port,
    hostname: config.host,
    fetch: (req: Request, bun: Server<undefined>) => {
      // The console limits sign-in attempts per peer address, which only the listener knows.
      rememberListener(req, bun)
      return server.app.handle(req)
    },
    error: listenerError(logger),
    maxRequestBodySize: serverBodyBackstop(config.limits),
  }
  try {
    if (tls)
      listening = reloadable = await listenReloadable(
        options,
        tls,
        () => readPem(config.tlsCert, config.tlsKey) as Promise<PemPair>
      )
    else listening = Bun.serve(options)
  } catch (err) {
    const message = (err as Error).message
    if (/EACCES|permission/i.test(message) && config.port < 1024) {
      fail(
        `port ${config.port} needs root or the bind capability: sudo setcap 'cap_net_bind_service=+ep' ${process.execPath}`
      )
    }
    return fail(`cannot listen on ${config.host}:${config.port}: ${message}`)
  }
  if (reloadable) {
    const served = reloadable
    server.metrics.watchCertificate(() => certificateNotAfter(served.pair.cert))
    warnOfExpiry(served.pair, logger)
  }
  let metricsListener: ReturnType<typeof Bun.serve> | undefined
  if (config.metricsListen) {
    const { host, port } = config.metricsListen
    try {
      // No token here: only GET /metrics, on loopback unless --metrics-listen names another host.
      metricsListener = Bun.serve({
        port,
        hostname: host,
        fetch: metricsListenerFetch(server.metrics),
        error: listenerError(logger),
      })
    } catch (err) {
      return fail(`cannot listen on ${host}:${port} for --metrics-listen: ${(err as Error).message}`)
    }
  }
  // A start that failed before this point (port in use, say) showed nobody a token, so it stored none.
  generated ??= await server.issueFirstToken()
  const scheme = tls ? 'https' : 'http'
  const shownHost = config.host === '0.0.0.0' || config.host === '::' ? hostname() : config.host
  const tenantUrl = config.baseUrl ?? `${listenOrigin(scheme, shownHost, listening.port)}${API_PREFIX}`
  console.log(`scim-server ${VERSION} listening on ${listenOrigin(scheme, config.host, listening.port)}`)
  console.log(`Tenant URL:   ${tenantUrl}`)
  if (generated)
    console.log(
      `Secret Token: ${generated}\n              (shown once: only its hash is stored; \`scim-server token\` issues another)`
    )
  else
    console.log(
      `Secret Token: ${config.tokens.length > 0 ? 'as given with --token / SCIM_TOKEN' : 'as issued earlier for this database'}`
    )
  console.log(`Database:     ${server.database}`)
  if (metricsListener)
    console.log(
      `Metrics:      ${listenOrigin('http', config.metricsListen!.host, metricsListener.port)}/metrics (no token)`
    )
  if (!tls) console.log('Note: Entra ID provisions only over HTTPS; use --tls-cert/--tls-key or a TLS proxy in front.')
  // Allowed for a proxy that maps another path to this server's API, but usually a URL cut short.
  if (config.baseUrl && !config.baseUrl.replace(/\/+$/, '').endsWith(API_PREFIX))
    console.log(
      `Note: --base-url does not end with ${API_PREFIX}: resources are located at ${config.baseUrl.replace(/\/+$/, '')}/Users/{id}, which only a proxy mapping it to this server's ${API_PREFIX} answers.`
    )

  let stopping = false
  const shutdown = async (signal: string) => {
    if (stopping) return
    stopping = true
    console.log(`${signal}: finishing in-flight requests`)
    // Long polls would otherwise hold the drain for up to 30 s each.
    server.endWaits()
    await listening.stop(false)
    await metricsListener?.stop(true)
    await server.close()
    process.exit(0)
  }
  process.on('SIGTERM', () => void shutdown('SIGTERM'))
  process.on('SIGINT', () => void shutdown('SIGINT'))
  // After a certificate renewal (`systemctl reload`, certbot's deploy hook): no restart, no refused connection.
  process.on('SIGHUP', () => {
    if (!reloadable) return logger.info({}, 'SIGHUP: no --tls-cert to read again; nothing changed')
    const served = reloadable
    served.reload().then(
      () => {
        logger.info({}, `SIGHUP: certificate reloaded from ${config.tlsCert}`)
        warnOfExpiry(served.pair, logger)
      },
      (err: Error) =>
        logger.error(
          {},
          `SIGHUP: certificate not reloaded, the previous one still serves: ${err.message.split('\n')[0]}`
        )
    )
  })
}

/** export's and import's services: a server over the SQLite file or the PostgreSQL database, closed when done. */
async function transferServer(config: Config): Promise<TransferServer & { close(): void | Promise<void> }> {
  if (!isPostgresUrl(config.db)) {
    openOrFail(config).sqlite.close()
    const server = await buildServer(config, [])
    return { tenants: server.tenants, snapshot: sqliteSnapshot(server.sqlite), close: () => server.store.close() }
  }
  try {
    const server = await pgTransferServer(await serverOptions(config, []))
    return { tenants: server.tenants, close: () => server.close() }
  } catch (err) {
    return startFailure(err)
  }
}

/** backup, restore, export and import: one line of outcome, exit 1 with one line on failure. */
async function dataCommand(config: Config, tenant: string): Promise<void> {
  if (config.db === ':memory:') fail(`${config.command} needs a database file (--db PATH)`)
  // Both copy the SQLite file itself; PostgreSQL has its own tools for that.
  if ((config.command === 'backup' || config.command === 'restore') && isPostgresUrl(config.db))
    fail(`${config.command} copies a SQLite database file; for PostgreSQL use pg_dump and pg_restore`)
  try {
    switch (config.command) {
      case 'backup':
        await backupDatabase(config.db, config.file!)
        return
      case 'restore':
        console.log(restoreDatabase(config.db, config.file!))
        return
      default:
    }
    const server = await transferServer(config)
    try {
      if (config.command === 'export') await exportCommand(server, config.out, tenant)
      else {
        const { failed } = await importCommand(
          server,
          config.file!,
          ({ line, error }) =>
            console.error(
              `line ${line}: ${error.status} ${error.scimType ?? ''} ${printable(error.detail)}`.replace(/ {2,}/g, ' ')
            ),
          tenant
        )
        if (failed > 0) process.exitCode = 1
      }
    } finally {
      await server.close()
    }
  } catch (err) {
    if (err instanceof CommandError) fail(err.message)
    throw err
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2)
  stopQuietlyOnBrokenPipe()
  if (argv[0] === 'token') return tokenCommand(argv.slice(1), process.env)
  if (argv[0] === 'admin') return adminCommand(argv.slice(1), process.env)
  if (argv[0] === 'journal') return void (process.exitCode = await journalCommand(argv.slice(1), process.env))
  if (argv[0] === 'tenant') return tenantCommand(argv.slice(1), process.env)
  if (argv[0] === 'migrate-db') return void (process.exitCode = await migrateDbCommand(argv.slice(1)))
  if (argv[0] === 'health') return void (process.exitCode = await healthCommand(argv.slice(1), process.env))
  let config: Config
  let tenant = 'default'
  try {
    // export and import move one tenant's resources; their other flags are the common ones.
    const words = argv[0] === 'export' || argv[0] === 'import' ? takeTenantFlag(argv) : { tenant, rest: argv }
    tenant = words.tenant
    config = parseCommandLine(words.rest, process.env)
  } catch (err) {
    if (err instanceof UsageError || err instanceof CommandError) fail(err.message, 2)
    throw err
  }
  if (config.command === 'help') return void console.log(USAGE)
  if (config.command === 'version') return void console.log(VERSION)
  if (config.command === 'selftest') return process.exit(await selftest(config))
  if (config.command !== 'serve') return dataCommand(config, tenant)
  await serve(config)
}

await main().catch((err: unknown) => reportFailure(err, process.env.SCIM_DEBUG === '1'))
