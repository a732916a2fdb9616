// The request schemas admit properties they do not name, which is what lets the app skip Elysia's cleaning.
import { describe, expect, test } from 'bun:test'
import * as models from '../../src/http/models'
import { makeTestApp } from '../helpers/app'
import { URN_USER } from '../helpers/scim'

describe('request schemas', () => {
  test('every one admits other properties: cleaning against them (normalize, off in app.ts) would remove nothing', () => {
    const schemas = Object.entries(models).filter(([, value]) => typeof value === 'object')
    expect(schemas.map(([name]) => name).sort()).toEqual(['ListQuery', 'ResourceQuery', 'SearchRequest'])
    for (const [, schema] of schemas)
      expect((schema as { additionalProperties?: unknown }).additionalProperties).toBe(true)
  })

  test('unknown query parameters and search keys reach the services as they did', async () => {
    const t = makeTestApp()
    await t.request('POST', '/scim/v2/Users', { schemas: [URN_USER], userName: 'norm' })
    const listed = await t.request('GET', '/scim/v2/Users?aadOptscim062020&filter=userName+eq+%22norm%22&count=5')
    expect(((await listed.json()) as { totalResults: number }).totalResults).toBe(1)
    const searched = await t.request('POST', '/scim/v2/Users/.search', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'],
      filter: 'userName eq "norm"',
      attributes: ['userName'],
      unknownKey: { nested: true },
    })
    const body = (await searched.json()) as { Resources: { userName: string; id?: string }[] }
    expect(body.Resources).toHaveLength(1)
    expect(Object.keys(body.Resources[0]!).sort()).toEqual(['id', 'schemas', 'userName'])
  })
})
