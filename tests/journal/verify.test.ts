// journal verify over a served database: a tenant whose journal and chain record are gone is named, not left out.
import { describe, expect, test } from 'bun:test'
import { verdictLines, verifyJournal } from '../../src/journal/verify'
import { makeTestApp } from '../helpers/app'
import { URN_USER } from '../helpers/scim'
import { addTenant } from '../helpers/tenants'

describe('journal/verify', () => {
  test("a tenant with resources and neither entries nor a chain record is named with its resources' count", async () => {
    const t = makeTestApp()
    const acme = addTenant(t, 'acme')
    await t.ready
    for (const userName of ['a', 'b'])
      await t.request(
        'POST',
        '/tenants/acme/scim/v2/Users',
        { schemas: [URN_USER], userName },
        {
          authorization: `Bearer ${acme.token}`,
        }
      )
    await t.request('POST', '/scim/v2/Users', { schemas: [URN_USER], userName: 'kept' })
    expect(verifyJournal(t.server.sqlite)).toMatchObject({ ok: true })
    expect(verifyJournal(t.server.sqlite)).not.toHaveProperty('unjournaled')
    // What passed before: the tenant's whole journal deleted with its chain record.
    t.server.sqlite.run("DELETE FROM journal WHERE tenant = 'acme'")
    t.server.sqlite.run("DELETE FROM journal_chains WHERE tenant = 'acme'")
    for (const verdict of [verifyJournal(t.server.sqlite), verifyJournal(t.server.sqlite, 'acme')]) {
      expect(verdict).toMatchObject({ ok: true, unjournaled: [{ tenant: 'acme', resources: 2 }] })
      expect(verdictLines(verdict, 0).lines.join('\n')).toContain(
        'tenant acme: no journal at all, yet it holds 2 resources'
      )
    }
  })
})
