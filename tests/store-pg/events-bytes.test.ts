// Change events on PostgreSQL under the byte budget (events.maxEventBytes): polls of large entries page on, nothing lost or repeated.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { createPgScimServer, type PgScimServer } from '../../src/server-pg'
import { pgIssueToken } from '../../src/store-pg/tokens'
import { freshDatabase, testPostgres, type TestDatabase } from '../helpers/postgres'

const server = await testPostgres()

describe.skipIf(!server)('events on PostgreSQL within a byte budget', () => {
  let db: TestDatabase
  let app: PgScimServer
  let token: string

  const call = (path: string, body: unknown) =>
    app.app.handle(
      new Request(`http://localhost${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' },
        body: JSON.stringify(body),
      })
    )

  beforeAll(async () => {
    db = await freshDatabase(server!)
    // Each entry below is ~9 KB: two fit in the budget, a third does not.
    app = await createPgScimServer({ db: db.url, events: { maxEventBytes: 20_000 } })
    ;({ token } = await pgIssueToken(db.sql, { tenant: 'default' }))
    await app.tenantsChanged()
  })
  afterAll(async () => {
    await app?.close()
    await db?.drop()
  })

  test('a poll over large entries answers what fits with moreAvailable, and the acking polls get the rest once each', async () => {
    const ids: string[] = []
    for (let i = 0; i < 5; i++) {
      const user = {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
        userName: `big${i}@example.com`,
        title: `${i}`.padEnd(9_000, 'x'),
      }
      const res = await call('/scim/v2/Users', user)
      expect(res.status).toBe(201)
      ids.push(((await res.json()) as { id: string }).id)
    }
    const answers: { count: number; more: boolean }[] = []
    const subjects: string[] = []
    let ack: string[] = []
    for (let polls = 0; polls < 5; polls++) {
      const res = await call('/scim/v2/Events', { ack, returnImmediately: true })
      expect(res.status).toBe(200)
      const { sets, moreAvailable } = (await res.json()) as { sets: Record<string, string>; moreAvailable: boolean }
      answers.push({ count: Object.keys(sets).length, more: moreAvailable })
      for (const set of Object.values(sets)) {
        subjects.push(JSON.parse(Buffer.from(set.split('.')[1]!, 'base64url').toString()).sub_id.id)
      }
      ack = Object.keys(sets)
      if (ack.length === 0) break
    }
    expect(answers).toEqual([
      { count: 2, more: true },
      { count: 2, more: true },
      { count: 1, more: false },
      { count: 0, more: false },
    ])
    expect(subjects).toEqual(ids)
  })
})
