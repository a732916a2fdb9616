// import at the service level: each line goes through the write services, so it is journaled.
import { describe, expect, test } from 'bun:test'
import { run } from '../../src/service/effect'
import { importLine } from '../../src/service/import'
import { makeTestApp } from '../helpers/app'
import { URN_USER } from '../helpers/scim'

describe('service/import journaling', () => {
  test('an imported line is journaled like any write, with actor and request id null', async () => {
    const t = makeTestApp()
    const line = JSON.stringify({ schemas: [URN_USER], userName: 'imported', title: 'T' })
    expect(await run(importLine(t.server.deps, line, { base: '/scim/v2' }, []))).toBe('created')
    expect(t.server.journal.after('default', 0, 10)).toMatchObject([
      {
        op: 'create',
        actor: null,
        requestId: null,
        changes: [
          { path: 'title', after: 'T' },
          { path: 'userName', after: 'imported' },
        ],
      },
    ])
  })
})
