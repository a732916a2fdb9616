// Receivers' positions on PostgreSQL: what events/streams.ts does on SQLite, statement by statement.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { pgDropEndedStreams, PgStreamPositions } from '../../src/store-pg/events-streams'
import { applyPgMigrations } from '../../src/store-pg/migrate'
import { MIGRATIONS } from '../../src/store-pg/migrations.gen'
import { pgIssueToken } from '../../src/store-pg/tokens'
import { freshDatabase, testPostgres, type TestDatabase } from '../helpers/postgres'

const server = await testPostgres()

describe.skipIf(!server)('store-pg/events streams', () => {
  let db: TestDatabase
  let positions: PgStreamPositions
  beforeAll(async () => {
    db = await freshDatabase(server!)
    await applyPgMigrations(db.sql, MIGRATIONS)
    await db.sql`INSERT INTO tenants (name, created) VALUES ('acme', '2026-12-01T10:00:00.000Z') ON CONFLICT DO NOTHING`
    positions = new PgStreamPositions(db.sql)
  })
  afterAll(async () => {
    await db?.drop()
  })

  test('a stream never seen is at 0; acks ahead are kept, the position moves once the gap closes, never back', async () => {
    expect(await positions.cursor('acme', 'push https://a')).toEqual({ ackedSeq: 0, acked: new Set() })
    await positions.acknowledge('acme', 'push https://a', [3, 5])
    expect(await positions.cursor('acme', 'push https://a')).toEqual({ ackedSeq: 0, acked: new Set([3, 5]) })
    await positions.advance('acme', 'push https://a', 3)
    expect(await positions.cursor('acme', 'push https://a')).toEqual({ ackedSeq: 3, acked: new Set([5]) })
    // A replica moving it less far (it read an older cursor) leaves it where it is.
    await positions.advance('acme', 'push https://a', 2)
    await positions.acknowledge('acme', 'push https://a', [1, 2])
    expect(await positions.cursor('acme', 'push https://a')).toEqual({ ackedSeq: 3, acked: new Set([5]) })
  })

  test("a stored token's stream starts as a copy of the shared one, then moves alone; one dropped with its token", async () => {
    await positions.advance('acme', 'poll', 4)
    await positions.acknowledge('acme', 'poll', [6, 8])
    const { record } = await pgIssueToken(db.sql, { tenant: 'acme', scope: 'read' })
    const stream = await positions.pollStream('acme', record.id)
    expect(stream).toBe(`poll ${record.id}`)
    expect(await positions.cursor('acme', stream)).toEqual({ ackedSeq: 4, acked: new Set([6, 8]) })
    await positions.advance('acme', stream, 6)
    expect(await positions.pollStream('acme', record.id)).toBe(stream)
    expect((await positions.cursor('acme', stream)).ackedSeq).toBe(6)
    expect((await positions.cursor('acme', 'poll')).ackedSeq).toBe(4)
    // Not a stored token of this tenant: the shared stream.
    expect(await positions.pollStream('other', record.id)).toBe('poll')
    expect(await positions.pollStream('acme', undefined)).toBe('poll')
    await db.sql`DELETE FROM tokens WHERE id = ${record.id}`
    expect(await pgDropEndedStreams(db.sql, new Date())).toBe(1)
    expect(await db.sql`SELECT seq FROM event_acks WHERE stream = ${stream}`).toHaveLength(0)
    expect((await positions.cursor('acme', 'poll')).acked).toEqual(new Set([6, 8]))
  })
})
