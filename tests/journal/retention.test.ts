// Retention on SQLite: the prune goes a chunk at a time and lets the server answer between chunks.
import { afterEach, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { journalOf } from '../../src/journal/journal'
import { pruneJournal } from '../../src/journal/retention'
import { verifyJournal } from '../../src/journal/verify'
import { openDatabase } from '../../src/store/db'
import { createDraft } from '../helpers/journal-draft'

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

/** A database whose default tenant has `count` entries, a second apart from 2020-01-01 on. */
function journaled(count: number) {
  const dir = mkdtempSync(join(tmpdir(), 'retention-'))
  dirs.push(dir)
  const { sqlite } = openDatabase(join(dir, 'scim.db'), 'normal')
  const { appender } = journalOf(sqlite)
  sqlite.transaction(() => {
    for (let i = 0; i < count; i++)
      appender.append('default', createDraft(`u${i}`, new Date(Date.UTC(2020, 0, 1) + i * 1000).toISOString(), null))
  })()
  return sqlite
}

const count = (sqlite: ReturnType<typeof journaled>) =>
  sqlite.query<{ n: number }, []>('SELECT count(*) AS n FROM journal').get()!.n

describe('journal/retention', () => {
  test('the prune lets other work run between its chunks, and what it keeps still verifies', async () => {
    const sqlite = journaled(10)
    // Counted on each turn of the event loop while the prune runs: what a request would see.
    const seen: number[] = []
    let done = false
    const watch = () => {
      if (done) return
      seen.push(count(sqlite))
      setImmediate(watch)
    }
    setImmediate(watch)
    const pruned = pruneJournal(sqlite, new Date(Date.UTC(2020, 0, 1) + 8_500).toISOString(), 3)
    expect(await pruned).toBe(9)
    done = true
    // Chunks of 3, 3 and 3 went with turns of the event loop in between (all at once, nothing would be seen in between).
    expect(seen.filter((n) => n > 1 && n < 10)).toEqual(expect.arrayContaining([7, 4]))
    expect(count(sqlite)).toBe(1)
    expect(verifyJournal(sqlite).ok).toBe(true)
    sqlite.close()
  })

  test('a prune told to stop (the server closes) ends after the chunk it is in', async () => {
    const sqlite = journaled(10)
    let stop = false
    const pruned = pruneJournal(sqlite, '2030-01-01T00:00:00Z', 3, () => stop)
    stop = true
    expect(await pruned).toBe(3)
    expect(count(sqlite)).toBe(7)
    sqlite.close()
  })
})
