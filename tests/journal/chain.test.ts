// The hash chain per tenant: concurrent writers, rolled-back jobs, and every kind of tampering.
import { describe, expect, test } from 'bun:test'
import { openDatabase } from '../../src/store/db'
import { createResourceStore } from '../../src/store/resource-store'
import { WriteQueue } from '../../src/store/write-queue'
import { journalOf } from '../../src/journal/journal'
import { verdictLines, verifyJournal } from '../../src/journal/verify'
import { createDraft } from '../helpers/journal-draft'

const draft = (id: string) => createDraft(id)

/** Two tenants' stores over one database, sharing its write queue as the server's stores do. */
function setup() {
  const { sqlite, orm } = openDatabase(':memory:')
  sqlite.run("INSERT INTO tenants (name, created) VALUES ('acme', '2026-01-01T00:00:00Z')")
  const queue = new WriteQueue(sqlite)
  const stores = ['default', 'acme'].map((tenant) => createResourceStore(orm, sqlite, { tenant, queue }))
  return { sqlite, queue, stores }
}

async function filled(n = 6) {
  const s = setup()
  for (let i = 0; i < n; i++) await s.stores[0]!.write((tx) => tx.journal(draft(`u${i}`)))
  return s
}

describe('journal/chain', () => {
  test('32 concurrent writers over two tenants never fork a chain: one seq order, every link intact', async () => {
    const { sqlite, queue, stores } = setup()
    await Promise.all(
      Array.from({ length: 32 }, (_, w) =>
        (async () => {
          for (let i = 0; i < 10; i++) {
            const store = stores[w % 2]!
            await store.write(function* (tx) {
              yield* tx.journal(draft(`w${w}-${i}`))
              if (i % 3 === 0) yield* tx.journal(draft(`w${w}-${i}-cascade`))
            })
          }
        })()
      )
    )
    expect(queue.batches).toBeLessThan(32 * 10)
    const verdict = verifyJournal(sqlite)
    expect(verdict).toMatchObject({ ok: true })
    if (!verdict.ok) return
    expect(verdict.tenants.map((t) => [t.tenant, t.count])).toEqual([
      ['acme', 16 * 14],
      ['default', 16 * 14],
    ])
    const seqs = sqlite.query<{ seq: number }, []>('SELECT seq FROM journal ORDER BY seq').all()
    expect(seqs.map((r) => r.seq)).toEqual(Array.from({ length: 32 * 14 }, (_, i) => i + 1))
  })

  test('a job that fails rolls its entries back with it; the next entry chains onto the last committed one', async () => {
    const { sqlite, stores } = setup()
    const store = stores[0]!
    const outcomes = await Promise.allSettled([
      store.write((tx) => tx.journal(draft('a'))),
      store.write(function* (tx) {
        yield* tx.journal(draft('b'))
        throw new Error('refused after appending')
      }),
      store.write((tx) => tx.journal(draft('c'))),
    ])
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled'])
    const reader = journalOf(sqlite).reader
    const kept = reader.after('default', 0, 10)
    expect(kept.map((e) => [e.seq, e.resourceId])).toEqual([
      [1, 'a'],
      [2, 'c'],
    ])
    expect(kept[1]!.prevHash).toBe(kept[0]!.hash)
    expect(verifyJournal(sqlite)).toMatchObject({ ok: true })
  })

  test("a job that failed mid-batch, between two tenants' appends, leaves both chains and the seq order whole", async () => {
    const { sqlite, queue, stores } = setup()
    const [main, acme] = stores as [ReturnType<typeof createResourceStore>, ReturnType<typeof createResourceStore>]
    const outcomes = await Promise.allSettled([
      main.write((tx) => tx.journal(draft('a'))),
      acme.write((tx) => tx.journal(draft('b'))),
      main.write(function* (tx) {
        yield* tx.journal(draft('lost-1'))
        yield* tx.journal(draft('lost-2'))
        throw new Error('refused')
      }),
      acme.write((tx) => tx.journal(draft('c'))),
      main.write((tx) => tx.journal(draft('d'))),
    ])
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled'])
    expect(queue.batches).toBe(1)
    const rows = sqlite
      .query<{ seq: number; resource_id: string }, []>('SELECT seq, resource_id FROM journal ORDER BY seq')
      .all()
    expect(rows).toEqual([
      { seq: 1, resource_id: 'a' },
      { seq: 2, resource_id: 'b' },
      { seq: 3, resource_id: 'c' },
      { seq: 4, resource_id: 'd' },
    ])
    expect(verifyJournal(sqlite)).toMatchObject({ ok: true })
  })

  test("a failed job that was its tenant's first in the batch leaves that tenant's head as stored", async () => {
    const { sqlite, queue, stores } = setup()
    const [main, acme] = stores as [ReturnType<typeof createResourceStore>, ReturnType<typeof createResourceStore>]
    await acme.write((tx) => tx.journal(draft('before')))
    const outcomes = await Promise.allSettled([
      main.write((tx) => tx.journal(draft('a'))),
      acme.write(function* (tx) {
        yield* tx.journal(draft('lost'))
        throw new Error('refused')
      }),
      acme.write((tx) => tx.journal(draft('b'))),
    ])
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled'])
    expect(queue.batches).toBe(2)
    const kept = journalOf(sqlite).reader.after('acme', 0, 10)
    expect(kept.map((e) => [e.seq, e.resourceId])).toEqual([
      [1, 'before'],
      [3, 'b'],
    ])
    expect(kept[1]!.prevHash).toBe(kept[0]!.hash)
    expect(verifyJournal(sqlite)).toMatchObject({ ok: true })
  })

  test('an edited entry is named', async () => {
    const { sqlite } = await filled()
    sqlite.run(`UPDATE journal SET changes = '[{"after":"mallory","path":"userName"}]' WHERE seq = 3`)
    expect(verifyJournal(sqlite)).toMatchObject({
      ok: false,
      tenant: 'default',
      seq: 3,
      problem: expect.stringContaining('edited'),
    })
  })

  test('a deleted entry is named by the entry after it', async () => {
    const { sqlite } = await filled()
    sqlite.run('DELETE FROM journal WHERE seq = 3')
    expect(verifyJournal(sqlite)).toMatchObject({ ok: false, seq: 4, problem: expect.stringContaining('deleted') })
  })

  test('reordered entries are named', async () => {
    const { sqlite } = await filled()
    // Swap the contents of entries 3 and 4 under their seq numbers.
    sqlite.run('UPDATE journal SET seq = -3 WHERE seq = 3')
    sqlite.run('UPDATE journal SET seq = 3 WHERE seq = 4')
    sqlite.run('UPDATE journal SET seq = 4 WHERE seq = -3')
    expect(verifyJournal(sqlite)).toMatchObject({ ok: false, seq: 3 })
  })

  test('deleting the newest entries is seen against the chain head', async () => {
    const { sqlite } = await filled()
    sqlite.run('DELETE FROM journal WHERE seq >= 5')
    expect(verifyJournal(sqlite)).toMatchObject({ ok: false, seq: 6, problem: expect.stringContaining('newest') })
  })

  test("an edited head hash is said as the head record's edit, not as deleted entries", async () => {
    const { sqlite } = await filled()
    sqlite.run("UPDATE journal_chains SET head_hash = 'ff' || substr(head_hash, 3)")
    expect(verifyJournal(sqlite)).toMatchObject({
      ok: false,
      problem: expect.stringContaining('the head record was edited'),
    })
  })

  test('a pruned chain names the checkpoint hash it starts from, to compare with one kept elsewhere', async () => {
    const { sqlite } = await filled()
    const cut = sqlite
      .query<{ seq: number; hash: string }, []>('SELECT seq, hash FROM journal ORDER BY seq LIMIT 1 OFFSET 1')
      .get()!
    sqlite.run('UPDATE journal_chains SET checkpoint_seq = ?1, checkpoint_hash = ?2', [cut.seq, cut.hash])
    sqlite.run('DELETE FROM journal WHERE seq <= ?1', [cut.seq])
    const verdict = verifyJournal(sqlite)
    expect(verdict.ok && verdict.tenants[0]).toMatchObject({ checkpointSeq: cut.seq, checkpointHash: cut.hash })
    expect(verdictLines(verdict, 0).lines[0]).toContain(`pruned up to entry ${cut.seq} (checkpoint ${cut.hash})`)
  })

  test('--tenant checks one chain; a tenant without entries is intact with 0', async () => {
    const { sqlite } = await filled()
    sqlite.run('DELETE FROM journal WHERE seq = 2')
    expect(verifyJournal(sqlite, 'acme')).toEqual({
      ok: true,
      tenants: [{ tenant: 'acme', count: 0, head: '', checkpointSeq: null, checkpointHash: null }],
    })
  })

  test('a draft given as a function is built only when the journal is on', async () => {
    const { sqlite, orm } = openDatabase(':memory:')
    const queue = new WriteQueue(sqlite)
    let built = 0
    const lazy = () => {
      built++
      return draft('lazy')
    }
    await createResourceStore(orm, sqlite, { queue, journaling: false }).write((tx) => tx.journal(lazy))
    expect(built).toBe(0)
    expect(sqlite.query('SELECT count(*) AS n FROM journal').get()).toEqual({ n: 0 })
    await createResourceStore(orm, sqlite, { queue }).write((tx) => tx.journal(lazy))
    expect(built).toBe(1)
    expect(verifyJournal(sqlite)).toMatchObject({ ok: true, tenants: [{ tenant: 'default', count: 1 }] })
  })
})
