// GET /healthz (liveness, never the database) and GET /readyz (the database is usable), plain text.
import { describe, expect, test } from 'bun:test'
import { makeTestApp, TEST_TOKEN } from '../helpers/app'
import { sqliteOnly } from '../helpers/test-store'

const get = (app: ReturnType<typeof makeTestApp>, path: string, token?: string) =>
  app.handle(new Request(`http://localhost${path}`, token ? { headers: { authorization: `Bearer ${token}` } } : {}))

async function expectText(res: Response, status: number, text: RegExp): Promise<void> {
  expect(res.status).toBe(status)
  expect(res.headers.get('content-type')).toStartWith('text/plain')
  expect(await res.text()).toMatch(text)
}

describe('/healthz', () => {
  test('answers ok without a token', async () => {
    await expectText(await get(makeTestApp(), '/healthz'), 200, /^ok\n$/)
  })

  sqliteOnly('makes the database read-only with a PRAGMA')(
    'stays ok when the database is not: it says the process answers, nothing more',
    async () => {
      const app = makeTestApp()
      app.server.sqlite.run('PRAGMA query_only = ON')
      await expectText(await get(app, '/healthz'), 200, /^ok\n$/)
    }
  )
})

describe('/readyz', () => {
  test('is ready on a readable, writable, migrated database', async () => {
    await expectText(await get(makeTestApp(), '/readyz', TEST_TOKEN), 200, /^ready\n$/)
  })

  sqliteOnly('makes the database read-only with a PRAGMA')(
    'is 503 with the reason when the database refuses writes',
    async () => {
      const app = makeTestApp()
      app.server.sqlite.run('PRAGMA query_only = ON')
      await expectText(await get(app, '/readyz', TEST_TOKEN), 503, /^not ready: database is not writable: .*readonly/)
    }
  )

  sqliteOnly("rewinds SQLite's migrations table")(
    'is 503 when the schema is not the one this build migrates to',
    async () => {
      const app = makeTestApp()
      app.server.sqlite.run(
        'DELETE FROM "__drizzle_migrations" WHERE id = (SELECT max(id) FROM "__drizzle_migrations")'
      )
      await expectText(
        await get(app, '/readyz', TEST_TOKEN),
        503,
        /^not ready: database schema is 1 migration\(s\) behind/
      )
    }
  )

  // Runs once /readyz is an open path in src/http/plugins/auth.ts (OPEN_PATHS), like /healthz.
  test('answers without a token, like /healthz', async () => {
    await expectText(await get(makeTestApp(), '/readyz'), 200, /^ready\n$/)
  })
})
