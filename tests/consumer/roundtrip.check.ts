// A consumer's own bun test: scim-server from its packed tarball, reached over HTTP with fetch only.
// Named *.check.ts so the scim-server repo's own `bun test` does not collect it.
import { expect, test } from 'bun:test'
import { startScimServer, type RunningScimServer, type StartOptions } from 'scim-server'

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User'

function headers(scim: RunningScimServer): Record<string, string> {
  return { authorization: `Bearer ${scim.token}`, 'content-type': 'application/scim+json' }
}

test('starts a server, creates a user over HTTP and reads it back', async () => {
  await using scim = await startScimServer()
  const created = await fetch(`${scim.url}/Users`, {
    method: 'POST',
    headers: headers(scim),
    body: JSON.stringify({ schemas: [USER], userName: 'ada@example.com' }),
  })
  expect(created.status).toBe(201)
  const { id } = (await created.json()) as { id: string }
  const read = (await (await fetch(`${scim.url}/Users/${id}`, { headers: headers(scim) })).json()) as { userName: string }
  expect(read.userName).toBe('ada@example.com')
})

test('seed and reset, with options typed under exactOptionalPropertyTypes', async () => {
  const options: StartOptions = { token: 'consumer-token', maxResults: 50 }
  await using scim = await startScimServer(options)
  const { users } = await scim.seed({ users: [{ userName: 'grace' }] })
  const first = users[0]
  expect(first?.['userName']).toBe('grace')
  await scim.reset()
  const list = (await (await fetch(`${scim.url}/Users`, { headers: headers(scim) })).json()) as { totalResults: number }
  expect(list.totalResults).toBe(0)
})
