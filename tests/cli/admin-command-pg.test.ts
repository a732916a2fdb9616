// `scim-server admin --db postgres://…`: console accounts on the replicas' database, signing in on every replica.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { runAdminCommand } from '../../src/cli/admin-command'
import { createPgScimServer, type PgScimServer } from '../../src/server-pg'
import { Browser, csrfOf, form } from '../helpers/console'
import { freshDatabase, type TestDatabase, testPostgres } from '../helpers/postgres'

const server = await testPostgres()
const PASSWORD = 'a long enough password'

async function admin(argv: string[], password = '') {
  const out: string[] = []
  const err: string[] = []
  const code = await runAdminCommand(
    argv,
    {},
    {
      readPassword: async () => password,
      log: (l) => out.push(l),
      error: (l) => err.push(l),
    }
  )
  return { code, out: out.join('\n'), err: err.join('\n') }
}

describe.skipIf(!server)('admin command on PostgreSQL', () => {
  let db: TestDatabase
  let a: PgScimServer | undefined
  let b: PgScimServer | undefined
  beforeAll(async () => {
    db = await freshDatabase(server!)
  })
  afterAll(async () => {
    await a?.close()
    await b?.close()
    await db?.drop()
  })

  test('a database no server has started on is refused with a sentence, not a missing relation', async () => {
    const { code, err } = await admin(['add', 'ada', '--db', db.url], PASSWORD)
    expect(code).toBe(1)
    expect(err).toContain('no scim-server tables yet')
  })

  test('add, then sign in on either replica; a new password ends the sessions; list, link and remove', async () => {
    ;[a, b] = await Promise.all([createPgScimServer({ db: db.url }), createPgScimServer({ db: db.url })])
    expect(await admin(['add', 'ada', '--db', db.url], PASSWORD)).toEqual({ code: 0, out: 'added ada', err: '' })
    const onA = new Browser(a.app)
    expect((await onA.signIn('ada', PASSWORD)).status).toBe(303)
    expect((await new Browser(b.app).signIn('ada', PASSWORD)).status).toBe(303)
    expect((await onA.get('/admin')).status).toBe(200)

    const changed = await admin(['add', 'ada', '--db', db.url], 'another long password')
    expect(changed.out).toBe('new password set for ada; its sessions have ended')
    expect((await onA.get('/admin')).status).toBe(303)
    expect((await new Browser(b.app).signIn('ada', PASSWORD)).status).toBe(401)
    expect((await new Browser(b.app).signIn('ada', 'another long password')).status).toBe(303)

    const link = await admin(['add', 'grace', '--link', '--url', 'https://scim.example.com/', '--db', db.url])
    expect(link.code).toBe(0)
    const token = /https:\/\/scim\.example\.com\/admin\/link\?token=(\S+)/.exec(link.out)![1]!
    const listed = await admin(['list', '--db', db.url])
    expect(listed.out.split('\n').map((l) => l.split('\t')[0])).toEqual(['ada', 'grace'])
    expect(listed.out).toContain('grace\tcreated ')
    expect(listed.out).toContain('(no password yet)')
    // The link works once, on whichever replica it reaches.
    const viaB = new Browser(b.app)
    const csrf = csrfOf(await (await viaB.get(`/admin/link?token=${token}`)).text())
    expect((await viaB.post('/admin/link', form({ csrf, token }))).status).toBe(303)
    const viaA = new Browser(a.app)
    const again = csrfOf(await (await viaA.get(`/admin/link?token=${token}`)).text())
    expect((await viaA.post('/admin/link', form({ csrf: again, token }))).status).toBe(400)

    expect(await admin(['remove', 'grace', '--db', db.url])).toMatchObject({ code: 0 })
    expect((await viaB.get('/admin')).status).toBe(303)
    expect(await admin(['remove', 'grace', '--db', db.url])).toMatchObject({
      code: 1,
      err: "scim-server: no console account 'grace'",
    })
    // Two servers started and seven argon2 hashes or checks: seconds on a busy machine.
  }, 30_000)
})
