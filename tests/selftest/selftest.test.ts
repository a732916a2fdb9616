// The selftest against a healthy in-process server: every check passes, nothing is left behind.
import { describe, expect, test } from 'bun:test'
import { exitCode } from '../../src/selftest'
import { formatResult } from '../../src/selftest/report'
import { runAgainst } from './run'

describe('selftest against a healthy server', () => {
  test('every check passes (TLS only warns about http://) and the server is empty afterwards', async () => {
    const run = await runAgainst()
    expect(run.notPassed, run.results.map(formatResult).join('\n')).toEqual([])
    expect(run.results.filter((r) => r.status === 'warn').map((r) => r.name)).toEqual(['connection: TLS'])
    expect(run.byName.get('connection: TLS')!.reason).toContain('https')
    expect(exitCode(run.results)).toBe(0)
    expect(await run.left()).toEqual({ users: 0, groups: 0 })
  })

  test('covers Test Connection, both Entra dialects, Okta, errors and clean-up', async () => {
    const names = (await runAgainst()).results.map((r) => r.name)
    for (const expected of [
      'connection: Test Connection (Users)',
      'connection: Test Connection (Groups)',
      'connection: wrong token gets 401',
      'Entra users (default PATCH): disable',
      'Entra users (?aadOptscim062020): disable',
      'Entra groups (default PATCH): member remove',
      'Entra groups (?aadOptscim062020): member remove',
      'Okta: replace user (PUT)',
      'Okta: group push: rename',
      'protocol: ETag and meta.location',
      'protocol: 404 SCIM Error body',
      'protocol: 409 on a duplicate userName',
      'protocol: content type',
    ]) {
      expect(names).toContain(expected)
    }
    expect(names.at(-1)).toBe('clean-up: nothing left behind')
  })

  test('a Tenant URL carrying ?aadOptscim062020 and a trailing slash is used as its base', async () => {
    const run = await runAgainst(undefined, {}, 'http://localhost/scim/v2/?aadOptscim062020')
    expect(run.notPassed).toEqual([])
    expect(run.byName.get('protocol: ETag and meta.location')!.reason).toContain('http://localhost/scim/v2/Users/{id}')
  })
})
