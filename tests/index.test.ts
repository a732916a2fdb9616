// The library face starts a real, in-memory server that answers through app.handle().
import { expect, test } from 'bun:test'
import { createScimServer, hashToken } from '../src/index'

test('createScimServer on :memory: serves SCIM in-process', async () => {
  const { app } = createScimServer({ db: ':memory:', tokenHashes: [hashToken('t')] })
  const headers = { authorization: 'Bearer t', 'content-type': 'application/scim+json' }
  const created = await app.handle(
    new Request('http://localhost/scim/v2/Users', {
      method: 'POST',
      headers,
      body: JSON.stringify({ userName: 'lib' }),
    })
  )
  expect(created.status).toBe(201)
  const list = (await (await app.handle(new Request('http://localhost/scim/v2/Users', { headers }))).json()) as {
    totalResults: number
  }
  expect(list.totalResults).toBe(1)
})
