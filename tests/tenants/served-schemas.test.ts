// The default tenant's schemas: serve's flags, then its row's, a document of the row replacing the flag's of the same id.
import { expect, test } from 'bun:test'
import { updateTenant } from '../../src/tenants/rows'
import { servedSchemas, type TenantSchema } from '../../src/tenants/config'
import { makeTestApp } from '../helpers/app'

const BADGE_URN = 'urn:example:params:scim:schemas:extension:badge:2.0:User'
const badge = (description: string): TenantSchema => ({
  target: 'User',
  schema: {
    id: BADGE_URN,
    name: 'Badge',
    description,
    attributes: [
      {
        name: 'badge',
        type: 'string',
        multiValued: false,
        required: false,
        mutability: 'readWrite',
        returned: 'default',
        uniqueness: 'server',
        caseExact: false,
      },
    ],
  } as TenantSchema['schema'],
})

test("a row document with a flag document's id replaces it rather than clashing with it", () => {
  const served = servedSchemas(
    { name: 'default', packs: [], schemas: [badge('from the row')] },
    { packs: [], schemas: [badge('from serve --schema')] }
  )
  expect(served.schemas.map((s) => s.schema.description)).toEqual(['from the row'])
  // A named tenant never sees serve's documents.
  expect(servedSchemas({ name: 'acme', packs: [], schemas: [] }, { packs: [], schemas: [badge('x')] }).schemas).toEqual(
    []
  )
})

test("tenant set default --schema F beside serve --schema F: the default tenant serves the row's document", async () => {
  const flag = badge('from serve --schema')
  const t = makeTestApp({ extraSchemas: [{ schema: flag.schema, resourceType: 'User' }], tenantRefreshMs: 0 })
  if (t.pg) return
  updateTenant(t.server.sqlite, { name: 'default', packs: [], schemas: [badge('from the row')], settings: {} })
  t.server.tenantsChanged()
  const res = await t.request('GET', `/scim/v2/Schemas/${BADGE_URN}`)
  expect(res.status).toBe(200)
  expect(((await res.json()) as { description: string }).description).toBe('from the row')
  expect((await t.request('POST', '/scim/v2/Users', { userName: 'ada', [BADGE_URN]: { badge: 'B1' } })).status).toBe(
    201
  )
})
