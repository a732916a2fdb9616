// startScimServer(): a real SCIM server on 127.0.0.1 at a free port, in-process, for other projects' tests.
import { rememberListener } from '../http/client-address'
import { generateToken, hashToken } from '../auth/tokens'
import { API_PREFIX } from '../http/app'
import { createTenant } from '../tenants/create'
import { DEFAULT_TENANT } from '../tenants/name'
import { readTenants } from '../tenants/rows'
import { checkExtraSchemaTargets, createScimServer, type ScimServer } from '../server'
import { tokenProblem } from '../option-rules'
import { lockServedDatabase, type ServerLock } from '../store/server-lock'
import { limitsWith, serverBodyBackstop } from '../scim/limits'
import type { ServerOptions } from '../server-options'
import { pruneJournal } from '../journal/retention'
import { deleteAllResources } from './reset'
import { seedResources } from './seed'
import type { RunningScimServer, StartOptions } from './types'

/** A cutoff after every entry's time: pruneJournal up to it takes the whole journal. */
const EVERY_ENTRY = '9999-12-31T23:59:59.999Z'

/**
 * Starts a server in memory (unless `options.db` names a file) with a random bearer token (unless
 * `options.token` is given), listening on `127.0.0.1:0`.
 * @example
 * await using scim = await startScimServer()
 * const res = await fetch(`${scim.url}/Users`, { headers: { authorization: `Bearer ${scim.token}` } })
 */
export async function startScimServer(options: StartOptions = {}): Promise<RunningScimServer> {
  const { token = generateToken(), db = ':memory:', ...rest } = options
  const wrongToken = tokenProblem(token)
  if (wrongToken) throw new RangeError(`token ${wrongToken}`)
  const serverOptions: ServerOptions = { ...rest, db, tokenHashes: [hashToken(token)] }
  // One server per file, as `serve` holds it: a test pointed at a database another server (or
  // another test) uses would cache lookups the other one makes stale.
  const lock: ServerLock | undefined = lockServedDatabase(db)
  let server: ScimServer
  try {
    server = createScimServer(serverOptions)
  } catch (err) {
    lock?.release()
    throw err
  }
  let listener: ReturnType<typeof Bun.serve>
  try {
    listener = Bun.serve({
      hostname: '127.0.0.1',
      port: 0,
      // The app answers an oversized body with a SCIM 413; Bun's own limit is only a backstop.
      maxRequestBodySize: serverBodyBackstop(limitsWith(options.limits)),
      // The peer address, for the console's sign-in limits and --allow-from (ServerOptions.allowFrom).
      fetch: (request, bun) => {
        rememberListener(request, bun)
        return server.app.handle(request)
      },
    })
  } catch (err) {
    server.store.close()
    lock?.release()
    throw err
  }
  const origin = `http://127.0.0.1:${listener.port}`
  const url = `${origin}${API_PREFIX}`
  const tenantUrl = (name: string) => `${origin}/tenants/${encodeURIComponent(name)}${API_PREFIX}`
  let stopped: Promise<void> | undefined

  const stop = () => {
    stopped ??= (async () => {
      await listener.stop(true)
      server.store.close()
      lock?.release()
    })()
    return stopped
  }
  return {
    url,
    token,
    tenantUrl,
    createTenant(name, tenant = {}) {
      checkExtraSchemaTargets(tenant.extraSchemas)
      const settings = { maxResults: tenant.maxResults, defaultCount: tenant.defaultCount, rateLimit: tenant.rateLimit }
      const token = createTenant(server.sqlite, {
        name,
        packs: [...(tenant.schemaPacks ?? [])],
        schemas: (tenant.extraSchemas ?? []).map(({ schema, resourceType }) => ({
          schema,
          target: resourceType,
        })),
        settings: JSON.parse(JSON.stringify(settings)),
      })
      server.tenantsChanged()
      return { name, url: tenantUrl(name), token }
    },
    seed: (input) => seedResources(server.deps, server.deps.settings.baseUrl ?? url, input),
    reset: async () => {
      if (stopped) throw new Error('reset() after stop()')
      // Every tenant's, not only the default one's: tenants a suite made with createTenant stay,
      // with their tokens, and start the next test as empty as the default tenant.
      const names = new Set([DEFAULT_TENANT, ...readTenants(server.sqlite).map((row) => row.name)])
      for (const name of names) {
        const services = server.tenants.get(name)
        if (services) await deleteAllResources(services.deps)
      }
      // The journal goes with the data, as retention prunes it (each tenant's chain keeps its
      // checkpoint, so `journal verify` still passes and seqs go on): a consumer polling in the
      // next test saw the creates of the last one, for resources that no longer existed.
      await pruneJournal(server.sqlite, EVERY_ENTRY)
    },
    stop,
    [Symbol.asyncDispose]: stop,
  }
}
