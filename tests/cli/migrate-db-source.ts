// A SQLite database filled through the real server for migrate-db's tests: two tenants, users, groups, tokens, events, a console account.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createAdminStore, secretHash } from '../../src/console/admin-store'
import { createScimServer } from '../../src/server'
import { issueToken } from '../../src/cli/token-store'
import { insertTenant } from '../../src/tenants/rows'
import { ENTRA_CONTENT_TYPE } from '../helpers/app'
import { URN_ENTERPRISE, URN_GROUP, URN_PATCH_OP, URN_USER } from '../helpers/entra'

export interface SourceDatabase {
  path: string
  /** Plain tokens by tenant, as issued (only their hashes are in the database). */
  tokens: Record<string, string>
}

/** Builds the database at a new path and closes its server (as `migrate-db` expects: no server on it). */
export async function buildSource(): Promise<SourceDatabase> {
  const path = join(mkdtempSync(join(tmpdir(), 'scim-migrate-')), 'scim.db')
  const server = createScimServer({ db: path, durability: 'normal' })
  insertTenant(server.sqlite, { name: 'acme', packs: [], schemas: [], settings: { maxResults: 50 } })
  const tokens = { default: issueToken(server.sqlite, false), acme: issueToken(server.sqlite, false, 'acme') }
  server.tenantsChanged()
  const call = async (tenant: string, method: string, path: string, body?: unknown) => {
    const prefix = tenant === 'default' ? '' : `/tenants/${tenant}`
    const res = await server.app.handle(
      new Request(`http://localhost${prefix}/scim/v2${path}`, {
        method,
        headers: {
          authorization: `Bearer ${tokens[tenant as keyof typeof tokens]}`,
          'content-type': ENTRA_CONTENT_TYPE,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      })
    )
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`)
    return res.status === 204 ? undefined : ((await res.json()) as { id: string; Resources?: unknown[] })
  }
  const user = (tenant: string, userName: string, extra: object = {}) =>
    call(tenant, 'POST', '/Users', { schemas: [URN_USER], userName, active: true, ...extra })

  for (const tenant of ['default', 'acme']) {
    const boss = await user(tenant, `boss@${tenant}.example`, { displayName: 'Böss Ünïcode' })
    const ids = [boss!.id]
    for (let i = 0; i < 6; i++) {
      const u = await user(tenant, `user${i}@${tenant}.example`, {
        schemas: [URN_USER, URN_ENTERPRISE],
        name: { givenName: `Given${i}`, familyName: 'Family' },
        emails: [{ value: `user${i}@${tenant}.example`, type: 'work', primary: true }],
        externalId: `ext-${i}`,
        [URN_ENTERPRISE]: { department: 'R&D', employeeNumber: String(1000 + i), manager: { value: boss!.id } },
      })
      ids.push(u!.id)
    }
    const group = await call(tenant, 'POST', '/Groups', {
      schemas: [URN_GROUP],
      displayName: 'Engineers',
      members: ids.slice(1, 5).map((value) => ({ value })),
    })
    // Added later, so member order (insertion order) is not id order.
    await call(tenant, 'PATCH', `/Groups/${group!.id}`, {
      schemas: [URN_PATCH_OP],
      Operations: [{ op: 'add', path: 'members', value: [{ value: ids[0] }] }],
    })
    await call(tenant, 'POST', '/Groups', { schemas: [URN_GROUP], displayName: 'Empty' })
    await call(tenant, 'PATCH', `/Users/${ids[2]}`, {
      schemas: [URN_PATCH_OP],
      Operations: [{ op: 'replace', path: 'active', value: false }],
    })
    // A delete: its entry, and the cascades onto the group and the reports it managed.
    await call(tenant, 'DELETE', `/Users/${ids[0]}`)
  }
  // An RFC 8936 poll stream of the default tenant: its signing key, a position and an ack ahead of it.
  const polled = await call('default', 'POST', '/Events', { returnImmediately: true })
  const jtis = Object.keys((polled as unknown as { sets: Record<string, string> }).sets)
  await call('default', 'POST', '/Events', { returnImmediately: true, maxEvents: 0, ack: [jtis[0], jtis[3]] })
  // A console account with a one-time link and a session (sessions are not copied).
  const admins = createAdminStore(server.sqlite)
  const now = new Date().toISOString()
  const later = new Date(Date.now() + 3_600_000).toISOString()
  admins.save('ops', null, now)
  admins.createLink(secretHash('link'), 'ops', now, later)
  admins.createSession(secretHash('session'), 'ops', 'csrf', now, later)
  await server.deps.events?.close()
  server.store.close()
  return { path, tokens }
}
