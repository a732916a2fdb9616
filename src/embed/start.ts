// startScimServer(): a real SCIM server on 127.0.0.1 at a free port, in-process, for other projects' tests.
import { rmSync } from 'node:fs'
import { generateToken, hashToken } from '../cli/tokens'
import { API_PREFIX } from '../http/app'
import { createScimServer, type ScimServer } from '../server'
import type { ServerOptions } from '../server-options'
import { seedResources } from './seed'
import type { RunningScimServer, StartOptions } from './types'

const DEFAULT_MAX_PAYLOAD = 10_485_760

/** Removes a database file and its WAL companions, so reset() can start it afresh. */
function removeDatabase(path: string): void {
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true })
}

/**
 * Starts a server in memory (unless `options.db` names a file) with a random bearer token (unless
 * `options.token` is given), listening on `127.0.0.1:0`.
 * @example
 * await using scim = await startScimServer()
 * const res = await fetch(`${scim.url}/Users`, { headers: { authorization: `Bearer ${scim.token}` } })
 */
export async function startScimServer(options: StartOptions = {}): Promise<RunningScimServer> {
  const { token = generateToken(), db = ':memory:', ...rest } = options
  const serverOptions: ServerOptions = { ...rest, db, tokenHashes: [hashToken(token)] }
  const inMemory = db === ':memory:' || db === ''
  let current: ScimServer = createScimServer(serverOptions)
  const listener = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    maxRequestBodySize: options.maxPayloadSize ?? DEFAULT_MAX_PAYLOAD,
    // Read `current` per request, so reset() can swap the database behind the same port.
    fetch: (request) => current.app.handle(request),
  })
  const origin = `http://127.0.0.1:${listener.port}`
  const url = `${origin}${API_PREFIX}`
  let stopped: Promise<void> | undefined

  const stop = () => {
    stopped ??= (async () => {
      await listener.stop(true)
      current.store.close()
    })()
    return stopped
  }
  return {
    url,
    token,
    tenantUrl: (name) => `${origin}/tenants/${encodeURIComponent(name)}${API_PREFIX}`,
    seed: (input) => seedResources(current.deps, current.deps.settings.baseUrl ?? url, input),
    async reset() {
      if (stopped) throw new Error('reset() after stop()')
      current.store.close()
      if (!inMemory) removeDatabase(db)
      current = createScimServer(serverOptions)
    },
    stop,
    [Symbol.asyncDispose]: stop,
  }
}
