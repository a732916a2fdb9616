// The five seed apps' Entra lifecycles at once on one server, one tenant each with its pack, plus the default tenant.
import { describe, expect, test } from 'bun:test'
import { makeTestApp } from '../helpers/app'
import { runLifecycle, type Client } from '../helpers/lifecycle'
import { APP_PACKS, appPack, DIALECTS } from '../helpers/packs'
import { readJson } from '../helpers/scim'
import { addTenant } from '../helpers/tenants'

describe('tenants: Entra lifecycles side by side (in-process)', () => {
  test('five tenants with their packs and the default tenant, concurrently, both PATCH dialects each', async () => {
    // The default tenant serves atmos as `serve --schema-pack atmos` would, so the atmos tenant and
    // the default one create the very same userNames at the same time.
    const app = makeTestApp({ schemaPacks: ['atmos'], tenantRefreshMs: 0 })
    const runs: { name: string; client: Client; pack: string }[] = [
      { name: 'default', client: app.request, pack: 'atmos' },
    ]
    for (const pack of APP_PACKS) {
      const tenant = addTenant(app, pack.name, { packs: [pack.name] })
      runs.push({ name: pack.name, client: tenant.request, pack: pack.name })
    }
    await Promise.all(
      runs.map(async ({ client, pack }) => {
        for (const dialect of DIALECTS) await runLifecycle(client, appPack(pack), dialect)
      })
    )
    // Each lifecycle deleted what it made; nothing of one tenant is left in another.
    for (const { client, name } of runs) {
      const users = await readJson(await client('GET', '/scim/v2/Users'))
      expect(users.totalResults, name).toBe(0)
    }
  }, 120_000)
})
