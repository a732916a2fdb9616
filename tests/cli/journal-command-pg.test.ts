// `scim-server journal verify|export|restore --db postgres://…`: the same subcommands over the replicas' database.
import { journal, sinceAfterWritesSoFar } from '../helpers/journal-command'
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { hashToken } from '../../src/auth/tokens'
import { createPgScimServer, type PgScimServer } from '../../src/server-pg'
import { freshDatabase, testPostgres, type TestDatabase } from '../helpers/postgres'

const server = await testPostgres()
const TOKEN = 'journal-pg-token'

describe.skipIf(!server)('journal command on PostgreSQL', () => {
  let db: TestDatabase
  let app: PgScimServer
  let before: string
  const send = (method: string, path: string, body?: unknown) =>
    app.app.handle(
      new Request(`http://localhost/scim/v2${path}`, {
        method,
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/scim+json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      })
    )
  beforeAll(async () => {
    db = await freshDatabase(server!)
    app = await createPgScimServer({ db: db.url, tokenHashes: [hashToken(TOKEN)] })
    const created = await send('POST', '/Users', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: 'bob@example.com',
    })
    const { id } = (await created.json()) as { id: string }
    before = await sinceAfterWritesSoFar()
    await send('PATCH', `/Users/${id}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'replace', path: 'displayName', value: 'Bob' }],
    })
    await send('DELETE', `/Users/${id}`)
  })
  afterAll(async () => {
    await app?.close()
    await db?.drop()
  })

  test('verify counts the entries; export writes them as JSON lines', async () => {
    expect(await journal('verify', '--db', db.url)).toMatchObject({
      code: 0,
      output: expect.stringContaining('journal intact: 3 entries'),
    })
    const out = join(mkdtempSync(join(tmpdir(), 'scim-journal-pg-')), 'j.jsonl')
    expect((await journal('export', '--db', db.url, '--out', out)).code).toBe(0)
    const lines = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { op: string })
    expect(lines.map((e) => e.op)).toEqual(['create', 'patch', 'delete'])
  })

  test('restore puts back the deleted user through the write path; the chain still verifies', async () => {
    const restored = await journal('restore', '--db', db.url, '--tenant', 'default', '--since', before)
    expect(restored.code).toBe(0)
    expect(restored.output).toContain('1 recreated')
    const found = await send('GET', `/Users?filter=${encodeURIComponent('userName eq "bob@example.com"')}`)
    expect(((await found.json()) as { totalResults: number }).totalResults).toBe(1)
    expect((await journal('verify', '--db', db.url)).code).toBe(0)
  })

  test('an edited entry fails verify, naming it', async () => {
    await db.sql`UPDATE journal SET changes = '[]' WHERE seq = (SELECT min(seq) FROM journal)`
    const { code, output } = await journal('verify', '--db', db.url)
    expect(code).toBe(1)
    expect(output).toMatch(/edited/)
  })
})
