// Removing a tenant takes its journal and change-event state with it: a tenant made again under the name starts clean.
import { describe, expect, test } from 'bun:test'
import { verifyJournal } from '../../src/journal/verify'
import { countTenant, deleteTenant } from '../../src/tenants/rows'
import { makeTestApp } from '../helpers/app'
import { addTenant } from '../helpers/tenants'

const count = (app: ReturnType<typeof makeTestApp>, sql: string) =>
  (app.server.sqlite.query(sql).get('acme') as { n: number }).n

describe('deleteTenant', () => {
  test("deletes the tenant's journal entries, chain head and event streams, and says how many entries went", async () => {
    const app = makeTestApp()
    const acme = addTenant(app, 'acme')
    await acme.request('POST', '/scim/v2/Users', { userName: 'old@acme.test' })
    await acme.request('POST', '/scim/v2/Groups', { displayName: 'old group' })
    const poll = await acme.request('POST', '/scim/v2/Events', { maxEvents: 10, returnImmediately: true })
    expect(Object.keys(((await poll.json()) as { sets: object }).sets)).toHaveLength(2)
    expect(countTenant(app.server.sqlite, 'acme').journalEntries).toBe(2)

    const removed = deleteTenant(app.server.sqlite, 'acme')
    expect(removed.journalEntries).toBe(2)
    expect(count(app, 'SELECT count(*) AS n FROM journal WHERE tenant = ?')).toBe(0)
    expect(count(app, 'SELECT count(*) AS n FROM journal_chains WHERE tenant = ?')).toBe(0)
    expect(count(app, 'SELECT count(*) AS n FROM event_streams WHERE tenant = ?')).toBe(0)
    expect(verifyJournal(app.server.sqlite).ok).toBe(true)

    // Made again under the same name: its pollers see only what happens to it now.
    const again = addTenant(app, 'acme')
    await again.request('POST', '/scim/v2/Users', { userName: 'new@acme.test' })
    const res = await again.request('POST', '/scim/v2/Events', { maxEvents: 10, returnImmediately: true })
    const { sets } = (await res.json()) as { sets: object }
    expect(Object.keys(sets)).toHaveLength(1)
    expect(verifyJournal(app.server.sqlite).ok).toBe(true)
  })
})

describe('a tenant removed while a server still serves it', () => {
  test('a create before the server reads the tenants table again is a 404 and leaves nothing a new tenant of the name would inherit', async () => {
    // The server reads the tenants table every minute here: it keeps serving acme's routes after the removal.
    const app = makeTestApp({ tenantRefreshMs: 60_000 })
    const acme = addTenant(app, 'acme')
    expect((await acme.request('GET', '/scim/v2/Users')).status).toBe(200)
    deleteTenant(app.server.sqlite, 'acme')
    const late = await acme.request('POST', '/scim/v2/Users', { userName: 'late@acme.test' })
    expect(late.status).toBe(404)
    expect(count(app, 'SELECT count(*) AS n FROM resources WHERE tenant = ?')).toBe(0)
    expect(count(app, 'SELECT count(*) AS n FROM journal WHERE tenant = ?')).toBe(0)
    expect(count(app, 'SELECT count(*) AS n FROM journal_chains WHERE tenant = ?')).toBe(0)
  })
})
