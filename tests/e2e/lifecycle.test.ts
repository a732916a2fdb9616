// Entra provisioning lifecycle against the compiled binary: one server with all five packs,
// every pack × both PATCH dialects, plus the 401 a wrong token must get (entra-wire §3.1).
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { startBinary, type RunningBinary } from '../helpers/binary'
import { runLifecycle } from '../helpers/lifecycle'
import { APP_PACKS, DIALECTS } from '../helpers/packs'
import { URN_ERROR } from '../helpers/entra'

const TIMEOUT = 60_000

describe('Entra lifecycle (compiled binary)', () => {
  let server: RunningBinary

  beforeAll(async () => {
    server = await startBinary(APP_PACKS.flatMap((p) => ['--schema-pack', p.name]))
  }, 360_000)

  afterAll(async () => {
    await server?.stop()
  })

  test(
    'wrong or missing token → 401 SCIM Error with WWW-Authenticate: Bearer',
    async () => {
      const cases: Record<string, string>[] = [{ authorization: 'Bearer not-the-token' }, { authorization: '' }]
      for (const headers of cases) {
        const res = await server.client('GET', '/scim/v2/Users?filter=userName+eq+%22x%22', undefined, headers)
        const text = await res.text()
        const what = `GET /Users with authorization=${JSON.stringify(headers.authorization)} → ${res.status} ${text}`
        expect(res.status, what).toBe(401)
        expect(res.headers.get('www-authenticate') ?? '', what).toStartWith('Bearer')
        expect(res.headers.get('content-type') ?? '', what).toStartWith('application/scim+json')
        expect((JSON.parse(text) as { schemas: string[] }).schemas, what).toContain(URN_ERROR)
      }
    },
    TIMEOUT
  )

  for (const pack of APP_PACKS) {
    for (const dialect of DIALECTS) {
      test(
        `${pack.name} / ${dialect}`,
        async () => {
          await runLifecycle(server.client, pack, dialect)
        },
        TIMEOUT
      )
    }
  }
})
