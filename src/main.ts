// The composition root: read argv/env, open storage, build the app, listen, and shut down cleanly.
import { hostname } from 'node:os'
import { resolve } from 'node:path'
import { parseCommandLine, USAGE, UsageError, type Config } from './cli/args'
import { readSchemaFile } from './cli/schema-files'
import { issueToken, storedTokenHashes } from './cli/token-store'
import { generateToken, hashToken } from './cli/tokens'
import { API_PREFIX } from './http/app'
import { serverBodyBackstop } from './scim/limits'
import { createScimServer, type ScimServer } from './server'
import { openDatabase } from './store/db'
import { VERSION } from './version'

function fail(message: string, code = 1): never {
  console.error(`scim-server: ${message}`)
  process.exit(code)
}

function openOrFail(config: Config): ReturnType<typeof openDatabase> {
  try {
    return openDatabase(config.db, config.durability)
  } catch (err) {
    return fail(`cannot open database ${config.db}: ${(err as Error).message}`)
  }
}

async function serve(config: Config): Promise<void> {
  // Tokens first: given ones are used as they are; otherwise the database's, issuing one on
  // first start (a throwaway in-memory database just gets a fresh token each time).
  let generated: string | undefined
  let tokenHashes: Buffer[] | undefined
  if (config.tokens.length > 0) tokenHashes = config.tokens.map(hashToken)
  else if (config.db === ':memory:') {
    generated = generateToken()
    tokenHashes = [hashToken(generated)]
  } else {
    const { sqlite } = openOrFail(config)
    if (storedTokenHashes(sqlite).length === 0) generated = issueToken(sqlite, false)
    sqlite.close()
  }
  let server: ScimServer
  try {
    const extraSchemas = [
      ...(await Promise.all(config.userSchemas.map(readSchemaFile))).map((schema) => ({ schema, resourceType: 'User' })),
      ...(await Promise.all(config.groupSchemas.map(readSchemaFile))).map((schema) => ({ schema, resourceType: 'Group' })),
    ]
    server = createScimServer({
      db: config.db, durability: config.durability, tokenHashes, baseUrl: config.baseUrl,
      schemaPacks: config.schemaPacks, extraSchemas, maxResults: config.maxResults, limits: config.limits,
    })
  } catch (err) {
    return fail(err instanceof UsageError ? err.message : `cannot start: ${(err as Error).message}`)
  }
  const tls = config.tlsCert && config.tlsKey ? { cert: Bun.file(config.tlsCert), key: Bun.file(config.tlsKey) } : undefined
  let listening
  try {
    listening = Bun.serve({ port: config.port, hostname: config.host, tls, fetch: (req) => server.app.handle(req), maxRequestBodySize: serverBodyBackstop(config.limits) })
  } catch (err) {
    const message = (err as Error).message
    if (/EACCES|permission/i.test(message) && config.port < 1024) {
      fail(`port ${config.port} needs root or the bind capability: sudo setcap 'cap_net_bind_service=+ep' ${process.execPath}`)
    }
    return fail(`cannot listen on ${config.host}:${config.port}: ${message}`)
  }
  const scheme = tls ? 'https' : 'http'
  const shownHost = config.host === '0.0.0.0' || config.host === '::' ? hostname() : config.host
  const tenantUrl = config.baseUrl ?? `${scheme}://${shownHost}:${listening.port}${API_PREFIX}`
  console.log(`scim-server ${VERSION} listening on ${scheme}://${config.host}:${listening.port}`)
  console.log(`Tenant URL:   ${tenantUrl}`)
  if (generated) console.log(`Secret Token: ${generated}\n              (shown once: only its hash is stored; \`scim-server token\` issues another)`)
  else console.log(`Secret Token: ${config.tokens.length > 0 ? 'as given with --token / SCIM_TOKEN' : 'as issued earlier for this database'}`)
  console.log(`Database:     ${config.db === ':memory:' ? ':memory: (nothing is kept after exit)' : resolve(config.db)}`)
  if (!tls) console.log('Note: Entra ID provisions only over HTTPS; use --tls-cert/--tls-key or a TLS proxy in front.')

  let stopping = false
  const shutdown = async (signal: string) => {
    if (stopping) return
    stopping = true
    console.log(`${signal}: finishing in-flight requests`)
    await listening.stop(false)
    server.store.close()
    process.exit(0)
  }
  process.on('SIGTERM', () => void shutdown('SIGTERM'))
  process.on('SIGINT', () => void shutdown('SIGINT'))
}

function token(config: Config): void {
  if (config.db === ':memory:') fail('token needs a database file (--db PATH)')
  const { sqlite } = openOrFail(config)
  const issued = issueToken(sqlite, config.reset)
  sqlite.close()
  console.log(`Secret Token: ${issued}`)
  console.log(config.reset ? 'All earlier tokens for this database are revoked (a running server stops accepting them within a second).' : 'Earlier tokens stay valid; use --reset to revoke them.')
}

async function main(): Promise<void> {
  let config: Config
  try {
    config = parseCommandLine(process.argv.slice(2), process.env)
  } catch (err) {
    if (err instanceof UsageError) fail(err.message, 2)
    throw err
  }
  if (config.command === 'help') return void console.log(USAGE)
  if (config.command === 'version') return void console.log(VERSION)
  if (config.command === 'token') return token(config)
  await serve(config)
}

await main()
