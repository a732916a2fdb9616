// Against the binary: --allow-from holds tokens to the listed addresses, as the listener reports the peer.
import { expect, test } from 'bun:test'
import { startBinary } from '../helpers/binary'

test('--allow-from: a token from outside the list gets 403, from inside 200; health checks stay open', async () => {
  // The test connects from 127.0.0.1: outside 192.0.2.0/24, inside 127.0.0.0/8.
  const outside = await startBinary(['--allow-from', '192.0.2.0/24'])
  try {
    const refused = await outside.client('POST', '/scim/v2/Users', { userName: 'outsider@example.com' })
    expect(refused.status).toBe(403)
    const body = (await refused.json()) as { status: string; detail: string }
    expect(body.status).toBe('403')
    expect(body.detail).toContain('127.0.0.1')
    expect((await fetch(`${outside.baseUrl}/healthz`)).status).toBe(200)
    expect((await fetch(`${outside.baseUrl}/scim/v2/Users`)).status).toBe(401)
  } finally {
    await outside.stop()
  }
  const inside = await startBinary(['--allow-from', '192.0.2.0/24,127.0.0.0/8'])
  try {
    expect((await inside.client('POST', '/scim/v2/Users', { userName: 'insider@example.com' })).status).toBe(201)
    expect((await inside.client('GET', '/scim/v2/Users')).status).toBe(200)
  } finally {
    await inside.stop()
  }
})
