// A token that expired can never poll again: its stream goes, as a revoked token's does.
import { describe, expect, test } from 'bun:test'
import { issueTokenRecord } from '../../src/auth/token-admin'
import { createEvents } from '../../src/events/service'
import { dropRevokedTokenStreams, pushStream, StreamPositions } from '../../src/events/streams'
import { openDatabase } from '../../src/store/db'
import { cleanupsAfterEach } from '../helpers/cleanups'
import { MemoryJournal } from './memory-journal'

const later = cleanupsAfterEach()

const HOUR = 3_600_000
const start = new Date('2026-12-01T10:00:00.000Z')

function database() {
  const { sqlite } = openDatabase(':memory:')
  later(() => sqlite.close())
  const positions = new StreamPositions(sqlite)
  const expiring = issueTokenRecord(
    sqlite,
    { tenant: 'default', scope: 'read', expires: new Date(start.getTime() + HOUR) },
    start
  )
  const lasting = issueTokenRecord(sqlite, { tenant: 'default', scope: 'read' }, start)
  for (const { record } of [expiring, lasting]) {
    const stream = positions.pollStream('default', record.id)
    positions.advance('default', stream, 1)
    positions.acknowledge('default', stream, [3])
  }
  positions.advance('default', 'poll', 1)
  positions.advance('default', pushStream('https://apps.example.com/events'), 1)
  const streams = () =>
    (sqlite.query('SELECT stream FROM event_streams ORDER BY stream').all() as { stream: string }[]).map(
      (r) => r.stream
    )
  return { sqlite, expiring, lasting, streams }
}

describe('events/expired token streams', () => {
  test("an expired token's stream and its acknowledgements go; the others stay", () => {
    const { sqlite, expiring, lasting, streams } = database()
    dropRevokedTokenStreams(sqlite, new Date(start.getTime() + HOUR - 1))
    expect(streams()).toHaveLength(4)
    dropRevokedTokenStreams(sqlite, new Date(start.getTime() + HOUR))
    expect(streams()).toEqual(
      ['poll', `poll ${lasting.record.id}`, pushStream('https://apps.example.com/events')].toSorted()
    )
    expect(streams()).not.toContain(`poll ${expiring.record.id}`)
    expect(sqlite.query('SELECT stream FROM event_acks').all()).toEqual([{ stream: `poll ${lasting.record.id}` }])
  })

  test('a running server drops the stream once the token has expired, through its writer', async () => {
    const { sqlite, expiring, streams } = database()
    let now = start
    const writes: string[] = []
    const service = createEvents({
      db: sqlite,
      journal: new MemoryJournal(),
      endpointOf: () => '/Users',
      publicBase: () => undefined,
      now: () => now,
      reloadEveryMs: 5,
      write: async (fn) => {
        writes.push('write')
        return sqlite.transaction(fn)()
      },
    })
    later(() => service.close())
    await Bun.sleep(30)
    expect(streams()).toContain(`poll ${expiring.record.id}`)
    // Nothing to drop: the check writes nothing.
    expect(writes).toEqual([])
    now = new Date(start.getTime() + 2 * HOUR)
    while (streams().includes(`poll ${expiring.record.id}`)) await Bun.sleep(5)
    expect(streams()).toHaveLength(3)
    expect(writes).toEqual(['write'])
  })
})
