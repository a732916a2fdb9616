// RFC 7644 §3.4.2.2/§3.4.2.3 filters and sorting over HTTP: dateTime instants, member display, hidden attributes, case folding.
import { describe, expect, test } from 'bun:test'
import type { SchemaDocument } from '../../src/scim/schema/types'
import { makeTestApp } from '../helpers/app'
import { expectScimError, readJson, URN_USER } from '../helpers/scim'

const URN_HR = 'urn:example:params:scim:schemas:extension:hr:2.0:User'
const HR_SCHEMA = {
  id: URN_HR,
  name: 'HR',
  attributes: [
    { name: 'hiredAt', type: 'dateTime', multiValued: false, required: false, mutability: 'readWrite', returned: 'default' },
    { name: 'secret', type: 'string', multiValued: false, required: false, caseExact: false, mutability: 'writeOnly', returned: 'never' },
  ],
} as unknown as SchemaDocument

const hrApp = () => makeTestApp({ extraSchemas: [{ schema: HR_SCHEMA, resourceType: 'User' }] })
const q = (filter: string) => `/scim/v2/Users?filter=${encodeURIComponent(filter)}&attributes=userName`

async function userNames(t: ReturnType<typeof makeTestApp>, path: string): Promise<string[]> {
  const res = await t.request('GET', path)
  expect(res.status).toBe(200)
  return ((await readJson(res)).Resources as { userName: string }[]).map((r) => r.userName)
}

describe('http sorting: never-returned attributes', () => {
  test('sortBy a returned:"never" attribute is refused, as filters refuse it', async () => {
    const t = hrApp()
    for (const [userName, secret] of [['a', 'zz'], ['b', 'aa']]) {
      await t.request('POST', '/scim/v2/Users', { schemas: [URN_USER, URN_HR], userName, password: 'S3cret!', [URN_HR]: { secret } })
    }
    await expectScimError(await t.request('GET', `/scim/v2/Users?sortBy=${URN_HR}:secret`), 400, 'invalidValue')
    await expectScimError(await t.request('GET', '/scim/v2/Users?sortBy=password'), 400, 'invalidValue')
    await expectScimError(await t.request('POST', '/scim/v2/Users/.search', { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], sortBy: 'secret' }), 400, 'invalidValue')
    await expectScimError(await t.request('GET', q('secret eq "aa"')), 400, 'invalidFilter')
  })
})
