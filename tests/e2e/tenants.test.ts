// Tenants against the compiled binary: `tenant add` beside the running server, the five seed apps'
// lifecycles at once (one tenant each, plus the default tenant), isolation, `tenant remove`.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startBinary, type RunningBinary } from '../helpers/binary'
import { runLifecycle, type Client } from '../helpers/lifecycle'
import { APP_PACKS, appPack, DIALECTS } from '../helpers/packs'
import { runBinary } from '../helpers/process'

const TIMEOUT = 120_000
const URN_USER = 'urn:ietf:params:scim:schemas:core:2.0:User'

/** A client of tenant `name` (the default one at /scim/v2) with `token`, over real HTTP. */
function clientOf(baseUrl: string, name: string, token: string): Client {
  const prefix = name === 'default' ? '' : `/tenants/${name}`
  return (method, path, body, headers) =>
    fetch(`${baseUrl}${prefix}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body !== undefined ? { 'content-type': 'application/scim+json; charset=utf-8' } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
}

/** Asks until `ok` holds: the server follows the tenants and tokens tables within about a second. */
async function eventually(what: string, ok: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 10_000
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within 10 s`)
    await Bun.sleep(50)
  }
}

describe('tenants (compiled binary)', () => {
  let server: RunningBinary
  let db: string
  const tokens = new Map<string, string>()

  beforeAll(async () => {
    db = join(mkdtempSync(join(tmpdir(), 'scim-tenants-')), 'scim.db')
    server = await startBinary(['--db', db, '--schema-pack', 'atmos'])
    tokens.set('default', server.token)
    for (const pack of APP_PACKS) {
      const added = await runBinary(['tenant', 'add', pack.name, '--schema-pack', pack.name, '--db', db])
      expect(added.code, added.output).toBe(0)
      expect(added.output).toContain(`Tenant URL:   /tenants/${pack.name}/scim/v2`)
      tokens.set(pack.name, /Secret Token: (\S+)/.exec(added.output)![1]!)
    }
    for (const [name, token] of tokens)
      await eventually(`tenant ${name} served`, async () => {
        const res = await clientOf(server.baseUrl, name, token)('GET', '/scim/v2/Users')
        return res.status === 200
      })
  }, 360_000)

  afterAll(async () => {
    await server?.stop()
  })

  test(
    'the five seed apps, one tenant each with its pack, and the default tenant: Entra lifecycles concurrently',
    async () => {
      const runs = [...tokens].map(([name, token]) => ({
        client: clientOf(server.baseUrl, name, token),
        pack: name === 'default' ? 'atmos' : name,
      }))
      await Promise.all(
        runs.map(async ({ client, pack }) => {
          for (const dialect of DIALECTS) await runLifecycle(client, appPack(pack), dialect)
        })
      )
    },
    TIMEOUT
  )

  test(
    "every tenant's token is 401 on every other tenant, the default included; an id of one is 404 on another",
    async () => {
      const names = [...tokens.keys()]
      const ids = new Map<string, string>()
      for (const name of names) {
        const res = await clientOf(server.baseUrl, name, tokens.get(name)!)('POST', '/scim/v2/Users', {
          schemas: [URN_USER],
          userName: 'same-in-all@example.com',
        })
        expect(res.status, name).toBe(201)
        const body = (await res.json()) as { id: string; meta: { location: string } }
        const prefix = name === 'default' ? '' : `/tenants/${name}`
        expect(body.meta.location).toBe(`${server.baseUrl}${prefix}/scim/v2/Users/${body.id}`)
        ids.set(name, body.id)
      }
      for (const owner of names) {
        for (const other of names) {
          if (owner === other) continue
          const wrongToken = await clientOf(server.baseUrl, other, tokens.get(owner)!)('GET', '/scim/v2/Users')
          expect(wrongToken.status, `${owner}'s token on ${other}`).toBe(401)
          const client = clientOf(server.baseUrl, other, tokens.get(other)!)
          for (const method of ['GET', 'PUT', 'PATCH', 'DELETE']) {
            const body =
              method === 'PUT'
                ? { schemas: [URN_USER], userName: 'x@example.com' }
                : method === 'PATCH'
                  ? {
                      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
                      Operations: [{ op: 'replace', path: 'active', value: false }],
                    }
                  : undefined
            const res = await client(method, `/scim/v2/Users/${ids.get(owner)}`, body)
            expect(res.status, `${method} ${owner}'s user on ${other}`).toBe(404)
          }
        }
      }
      const anyToken = tokens.get('alvao')!
      const unknown = await clientOf(server.baseUrl, 'nobody', anyToken)('GET', '/scim/v2/Users')
      expect(unknown.status).toBe(401)
      expect(((await unknown.json()) as { schemas: string[] }).schemas).toContain(
        'urn:ietf:params:scim:api:messages:2.0:Error'
      )
      const bad = await clientOf(server.baseUrl, 'Not_A_Name', anyToken)('GET', '/scim/v2/Users')
      expect(bad.status).toBe(404)
    },
    TIMEOUT
  )

  test(
    'tenant list counts what each holds; tenant remove --yes takes the tenant away from the running server',
    async () => {
      const list = await runBinary(['tenant', 'list', '--db', db])
      expect(list.code).toBe(0)
      expect(list.output).toMatch(/^h5mag\s+h5mag\s+1\s+0\s+1$/m)
      expect(list.output).toMatch(/^default\s+-\s+1\s+0\s+0$/m)
      const refused = await runBinary(['tenant', 'remove', 'h5mag', '--db', db])
      expect(refused.code).toBe(1)
      expect(refused.output).toMatch(/1 users, 0 groups, 0 memberships, 1 tokens and [1-9]\d* journal entries/)
      const removed = await runBinary(['tenant', 'remove', 'h5mag', '--yes', '--db', db])
      expect(removed.code, removed.output).toBe(0)
      const client = clientOf(server.baseUrl, 'h5mag', tokens.get('h5mag')!)
      await eventually('removed tenant refused', async () => (await client('GET', '/scim/v2/Users')).status === 401)
      // The others are untouched.
      const alvao = await clientOf(server.baseUrl, 'alvao', tokens.get('alvao')!)('GET', '/scim/v2/Users')
      expect(((await alvao.json()) as { totalResults: number }).totalResults).toBe(1)
    },
    TIMEOUT
  )
})
