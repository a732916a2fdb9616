// Interrupting a run (Ctrl-C) skips the remaining checks and still removes what was created.
import { expect, test } from 'bun:test'
import { makeTestApp, TEST_TOKEN } from '../helpers/app'
import { exitCode, runSelftest, type Fetcher } from '../../src/selftest'

test('an abort midway skips the rest as interrupted, and the clean-up deletes what exists', async () => {
  const app = makeTestApp()
  const interrupt = new AbortController()
  let posts = 0
  // Interrupted during the third create (the ?aadOptscim062020 user suite): its users exist.
  const fetch: Fetcher = async (url, init) => {
    const res = await app.server.app.handle(new Request(url, init))
    if (init.method === 'POST' && ++posts === 3) interrupt.abort()
    return res
  }
  const results = await runSelftest({
    url: 'http://localhost/scim/v2',
    token: TEST_TOKEN,
    fetch,
    signal: interrupt.signal,
  })
  const skipped = results.filter((r) => r.status === 'skip')
  expect(skipped.length).toBeGreaterThan(20)
  expect(skipped.every((r) => r.reason === 'not run: interrupted' || r.reason.startsWith('not run: needs'))).toBe(true)
  expect(results.at(-1)).toMatchObject({ name: 'clean-up: nothing left behind', status: 'pass' })
  expect(results.at(-1)!.reason).toMatch(/^deleted [1-9]\d* resource\(s\)/)
  expect(exitCode(results)).toBe(1)
  const users = (await (await app.request('GET', '/scim/v2/Users')).json()) as { totalResults: number }
  expect(users.totalResults).toBe(0)
})
