// verifyJournalServing: the console's chain check lets other work run between pages, and reads as journal verify does.
import { expect, test } from 'bun:test'
import { openDatabase } from '../../src/store/db'
import { createResourceStore } from '../../src/store/resource-store'
import { WriteQueue } from '../../src/store/write-queue'
import { verifyJournal, verifyJournalServing } from '../../src/journal/verify'
import { createDraft } from '../helpers/journal-draft'

/** `n` entries of the default tenant, appended 500 a write. */
async function journalOf(n: number) {
  const { sqlite, orm } = openDatabase(':memory:')
  const store = createResourceStore(orm, sqlite, { tenant: 'default', queue: new WriteQueue(sqlite) })
  for (let at = 0; at < n; at += 500)
    await store.write(function* (tx) {
      for (let i = at; i < Math.min(n, at + 500); i++) yield* tx.journal(createDraft(`u${i}`))
    })
  return { sqlite, store }
}

test('12,000 entries: timers run while the walk goes on, and the verdict is the one verifyJournal gives', async () => {
  const { sqlite } = await journalOf(12_000)
  let ticks = 0
  const timer = setInterval(() => ticks++, 0)
  const verdict = await verifyJournalServing(sqlite)
  clearInterval(timer)
  expect(ticks).toBeGreaterThan(0)
  expect(verdict).toEqual(verifyJournal(sqlite))
  expect(verdict).toMatchObject({ ok: true, tenants: [{ tenant: 'default', count: 12_000 }] })
})

test('entries appended while the walk is under way are walked too, up to the head read with the last page', async () => {
  const { sqlite, store } = await journalOf(11_000)
  const walking = verifyJournalServing(sqlite)
  await store.write((tx) => tx.journal(createDraft('late')))
  expect(await walking).toMatchObject({ ok: true, tenants: [{ count: 11_001 }] })
})

test('an edited entry is found and named, as by verifyJournal', async () => {
  const { sqlite } = await journalOf(6_000)
  sqlite.run('UPDATE journal SET actor = ? WHERE seq = ?', ['intruder', 5_500])
  const verdict = await verifyJournalServing(sqlite)
  expect(verdict).toMatchObject({ ok: false, seq: 5_500 })
  expect(verdict).toEqual(verifyJournal(sqlite))
})
