// SQLite's journal reader within a byte budget (the entries that fit, always the first, whether the budget cut the read), and word of appends.
import { describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { journalOf } from '../../src/journal/journal'
import { OTHER_WRITERS_MS } from '../../src/journal/reader'
import { openDatabase } from '../../src/store/db'
import { createResourceStore } from '../../src/store/resource-store'
import { WriteQueue } from '../../src/store/write-queue'
import { createDraft } from '../helpers/journal-draft'

/** A journal of `n` creates whose changes hold `size` characters of text each (é: two bytes in UTF-8). */
async function journal(n: number, size: number) {
  const { sqlite, orm } = openDatabase(':memory:')
  const store = createResourceStore(orm, sqlite, { tenant: 'default', queue: new WriteQueue(sqlite) })
  for (let i = 0; i < n; i++) {
    const draft = createDraft(`u${i}`)
    await store.write((tx) =>
      tx.journal({ ...draft, changes: [{ path: 'description', after: `${i}`.padEnd(size, 'é') }] })
    )
  }
  const bytes = sqlite
    .query<{ bytes: number }, []>(
      'SELECT octet_length(changes) + octet_length(compat) AS bytes FROM journal ORDER BY seq'
    )
    .all()
    .map((r) => r.bytes)
  return { sqlite, reader: journalOf(sqlite).reader, bytes }
}

describe('journal/reader within a byte budget', () => {
  test('reads the entries whose stored text fits, in UTF-8 bytes, and says the budget cut the read', async () => {
    const { sqlite, reader, bytes } = await journal(5, 1_000)
    expect(bytes[0]).toBeGreaterThan(2_000)
    const page = reader.within('default', 0, 500, bytes[0]! + bytes[1]! + bytes[2]! - 1)
    expect(page.entries.map((e) => e.resourceId)).toEqual(['u0', 'u1'])
    expect(page.bytes).toEqual(bytes.slice(0, 2))
    expect(page.cut).toBe(true)
    expect(page.entries).toEqual(reader.after('default', 0, 2))
    // The limit comes first, and a read that ends at the journal's end was not cut.
    expect(reader.within('default', 0, 1, 1e9)).toMatchObject({ cut: false, bytes: bytes.slice(0, 1) })
    const rest = reader.within('default', page.entries[1]!.seq, 500, 1e9)
    expect(rest.entries.map((e) => e.resourceId)).toEqual(['u2', 'u3', 'u4'])
    expect(rest.cut).toBe(false)
    sqlite.close()
  })

  test('an entry larger than the budget is read alone', async () => {
    const { sqlite, reader } = await journal(3, 1_000)
    const page = reader.within('default', 0, 500, 10)
    expect(page.entries.map((e) => e.resourceId)).toEqual(['u0'])
    expect(page.cut).toBe(true)
    expect(reader.within('other', 0, 500, 10)).toEqual({ entries: [], bytes: [], cut: false })
    sqlite.close()
  })
})

describe('journal/reader onAppend', () => {
  test("another connection's appends (an import or journal restore beside the server) are told, per tenant", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scim-reader-'))
    const server = openDatabase(join(dir, 'scim.db'))
    const command = openDatabase(join(dir, 'scim.db'))
    try {
      const reader = journalOf(server.sqlite).reader
      const heard: string[][] = []
      const off = reader.onAppend((tenants) => heard.push([...tenants]))
      // Two looks at most, then a moment for a look that would tell too much.
      const looked = () => Bun.sleep(OTHER_WRITERS_MS * 2 + 100)
      const store = createResourceStore(command.orm, command.sqlite, {
        tenant: 'default',
        queue: new WriteQueue(command.sqlite),
      })
      await store.write((tx) => tx.journal(createDraft('u0')))
      await looked()
      expect(heard).toEqual([['default']])
      // The server's own append is told by its write queue, and not again when another
      // connection then appends for another tenant.
      const own = createResourceStore(server.orm, server.sqlite, {
        tenant: 'default',
        queue: new WriteQueue(server.sqlite),
      })
      await own.write((tx) => tx.journal(createDraft('u1')))
      expect(heard).toEqual([['default'], ['default']])
      const other = createResourceStore(command.orm, command.sqlite, {
        tenant: 'other',
        queue: new WriteQueue(command.sqlite),
      })
      await other.write((tx) => tx.journal(createDraft('o1')))
      await looked()
      expect(heard).toEqual([['default'], ['default'], ['other']])
      // No look once nobody listens.
      off()
      await store.write((tx) => tx.journal(createDraft('u2')))
      await looked()
      expect(heard).toHaveLength(3)
    } finally {
      command.sqlite.close()
      server.sqlite.close()
      rmSync(dir, { recursive: true, force: true })
    }
  }, 10_000)
})
