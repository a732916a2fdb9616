// Replicas for end-to-end tests: the built binary serving one PostgreSQL database, and a client that spreads requests over several.
import { expect } from 'bun:test'
import { freePort, spawnBinary, type Child } from './process'
import type { Client } from './lifecycle'

export interface Replica {
  child: Child
  baseUrl: string
  /** The first token, when this replica issued it (printed once at start). */
  firstToken: string | undefined
  /** Sends requests like Entra (bearer `token`, Entra's content type) to this replica. */
  client(token: string): Client
  /** SIGTERM, then waits for the exit (SIGKILL after 5 s). */
  stop(): Promise<void>
}

/** `scim-server serve --db URL` on a free loopback port; resolves once it prints its Tenant URL. */
export async function startReplica(dbUrl: string, args: string[] = []): Promise<Replica> {
  const port = await freePort()
  const child = await spawnBinary(['serve', '--port', String(port), '--host', '127.0.0.1', '--db', dbUrl, ...args])
  await child.waitFor('Tenant URL:', 30_000)
  // The token line follows the Tenant URL line in the same write; wait for the database line after it.
  await child.waitFor('Database:', 5_000)
  const baseUrl = `http://127.0.0.1:${port}`
  return {
    child,
    baseUrl,
    firstToken: /^Secret Token: (\S+)$/m.exec(child.output())?.[1],
    client: (token) => (method, path, body, headers) =>
      fetch(`${baseUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body !== undefined ? { 'content-type': 'application/scim+json; charset=utf-8' } : {}),
          ...headers,
        },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      }),
    async stop() {
      if (child.proc.exitCode !== null) return
      child.proc.kill('SIGTERM')
      const killer = setTimeout(() => child.proc.kill('SIGKILL'), 5_000)
      await child.proc.exited
      clearTimeout(killer)
    },
  }
}

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

/** A resource as served, with the replica's own address taken out of its URLs (meta.location, $ref). */
function asServed(body: Record<string, any>): Record<string, any> {
  return JSON.parse(JSON.stringify(body).replace(/http:\/\/127\.0\.0\.1:\d+/g, ''))
}

/** /scim/v2/Users/ID or /scim/v2/Groups/ID of a write: its path, or the created resource's. */
function resourcePath(method: string, path: string, body: Record<string, any> | undefined): string | undefined {
  const bare = path.split('?')[0]!
  if (method === 'POST' && /^\/scim\/v2\/(Users|Groups)$/.test(bare) && body?.id) return `${bare}/${body.id}`
  if (method !== 'POST' && /^\/scim\/v2\/(Users|Groups)\/[^/]+$/.test(bare)) return bare
  return undefined
}

export interface Alternating {
  client: Client
  /** Writes checked on another replica so far. */
  checkedWrites(): number
}

/**
 * A client that sends each request to the next replica in turn, and after every acknowledged write
 * of a user or group reads it through the next replica: it must be there as the write answered it
 * (or gone after a DELETE). That is read-your-writes across replicas, checked on every step.
 */
export function alternating(clients: readonly Client[]): Alternating {
  let next = 0
  let checked = 0
  const pick = () => clients[next++ % clients.length]!
  const client: Client = async (method, path, body, headers) => {
    const res = await pick()(method, path, body, headers)
    if (!WRITES.has(method) || res.status >= 300) return res
    const text = await res.clone().text()
    const written = text ? (JSON.parse(text) as Record<string, any>) : undefined
    const target = resourcePath(method, path, written)
    if (!target) return res
    const other = pick()
    const read = await other('GET', target)
    const what = `${method} ${path} → ${res.status}, then GET ${target} on the next replica`
    if (method === 'DELETE') {
      expect(read.status, what).toBe(404)
    } else {
      expect(read.status, what).toBe(200)
      const seen = (await read.json()) as Record<string, any>
      // A PATCH may answer 204: the version its replica serves now is the one the other must serve.
      const expected = written ?? ((await clients[0]!('GET', target)).json() as Promise<Record<string, any>>)
      expect(asServed(seen), what).toEqual(asServed(await expected))
    }
    checked++
    return res
  }
  return { client, checkedWrites: () => checked }
}
