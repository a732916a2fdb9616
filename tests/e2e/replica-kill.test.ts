// kill -9 of a replica under concurrent POSTs: every write it acknowledged is read through the other replica, and the journal still verifies.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { verifyPgJournal } from '../../src/store-pg/journal-verify'
import { URN_USER } from '../helpers/entra'
import { freshDatabase, testPostgres, type TestDatabase } from '../helpers/postgres'
import { startReplica, type Replica } from '../helpers/replicas'

const server = await testPostgres()
const TOKEN = `kill-${crypto.randomUUID()}`
/** Writers on the replica that is killed, and on the one that stays. */
const ON_VICTIM = 6
const ON_SURVIVOR = 2
/** The victim is killed once it has acknowledged this many creates, with its writers still sending. */
const KILL_AFTER = 150

interface Acked {
  id: string
  userName: string
}

describe.skipIf(!server)('a replica killed with SIGKILL under write load (compiled binary)', () => {
  let db: TestDatabase
  let victim: Replica
  let survivor: Replica

  beforeAll(async () => {
    db = await freshDatabase(server!)
    victim = await startReplica(db.url, ['--token', TOKEN])
    survivor = await startReplica(db.url, ['--token', TOKEN])
  }, 120_000)

  afterAll(async () => {
    await victim?.stop()
    await survivor?.stop()
    await db?.drop()
  })

  test('every acknowledged create is there after the kill; the journal verifies; rows and entries agree', async () => {
    const acked: Acked[] = []
    let victimAcks = 0
    let killed = false
    let stopSurvivor = false
    const writer = async (replica: Replica, name: string, isVictim: boolean) => {
      const send = replica.client(TOKEN)
      for (let n = 0; ; n++) {
        if (!isVictim && stopSurvivor) return
        const userName = `${name}-${n}@kill.example`
        let res: Response
        try {
          res = await send('POST', '/scim/v2/Users', { schemas: [URN_USER], userName })
        } catch {
          // The connection died with the process: this write was never acknowledged.
          if (isVictim && killed) return
          throw new Error(`${name}: request failed while the replica was up`)
        }
        if (res.status !== 201) {
          if (isVictim && killed) return
          throw new Error(`${name}: POST ${userName} → ${res.status} ${await res.text()}`)
        }
        acked.push({ id: ((await res.json()) as { id: string }).id, userName })
        if (isVictim && ++victimAcks === KILL_AFTER) {
          killed = true
          victim.child.proc.kill('SIGKILL')
        }
      }
    }
    const victims = Array.from({ length: ON_VICTIM }, (_, i) => writer(victim, `v${i}`, true))
    const survivors = Array.from({ length: ON_SURVIVOR }, (_, i) => writer(survivor, `s${i}`, false))
    await Promise.all(victims)
    expect(killed).toBe(true)
    expect(await victim.child.proc.exited).not.toBe(0)
    stopSurvivor = true
    await Promise.all(survivors)

    // Every acknowledged create, from either replica, is read through the survivor.
    const read = survivor.client(TOKEN)
    const missing: Acked[] = []
    for (const a of acked) {
      const res = await read('GET', `/scim/v2/Users/${a.id}`)
      if (res.status !== 200 || ((await res.json()) as { userName: string }).userName !== a.userName) missing.push(a)
    }
    expect(missing).toEqual([])
    expect(acked.length).toBeGreaterThanOrEqual(KILL_AFTER)

    // Writes the kill cut off were rolled back whole: each user row has its create entry, and no more.
    const [users] = await db.sql`SELECT count(*)::int AS n FROM resources WHERE type = 'User'`
    const [creates] =
      await db.sql`SELECT count(*)::int AS n FROM journal WHERE op = 'create' AND resource_type = 'User'`
    expect(users.n).toBeGreaterThanOrEqual(acked.length)
    expect(creates.n).toBe(users.n)
    const verdict = await verifyPgJournal(db.sql)
    expect(verdict.ok, JSON.stringify(verdict)).toBe(true)
  }, 60_000)
})
