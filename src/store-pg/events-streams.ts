// Receivers' acknowledged positions in PostgreSQL (event_streams, event_acks): what events/streams.ts keeps in SQLite.
import type { SQL } from 'bun'
import type { StreamCursor } from '../events/pending'
import type { StreamStore } from '../events/store'
import { POLL_STREAM, TOKEN_HOLDS, tokenStream } from '../events/streams'

// A token's stream starts as a copy of the shared one (events/streams.ts pollStream): the row and
// its acknowledgements in one statement, the acknowledgements only when the row is new.
const COPY_STREAM = `WITH made AS (
    INSERT INTO event_streams (tenant, stream, acked_seq)
    VALUES ($1, $2, coalesce((SELECT acked_seq FROM event_streams WHERE tenant = $1 AND stream = '${POLL_STREAM}'), 0))
    ON CONFLICT DO NOTHING RETURNING tenant)
  INSERT INTO event_acks (tenant, stream, seq)
  SELECT a.tenant, $2, a.seq FROM event_acks a, made WHERE a.tenant = $1 AND a.stream = '${POLL_STREAM}'
  ON CONFLICT DO NOTHING`

const CURSOR = `SELECT (SELECT acked_seq FROM event_streams WHERE tenant = $1 AND stream = $2)::float8 AS "ackedSeq",
  (SELECT coalesce(string_agg(seq::text, ','), '') FROM event_acks WHERE tenant = $1 AND stream = $2) AS acks`

// Only acknowledgements past the position are kept (the rest are already covered by it).
const ACKNOWLEDGE = `WITH s AS (INSERT INTO event_streams (tenant, stream, acked_seq) VALUES ($1, $2, 0) ON CONFLICT DO NOTHING)
  INSERT INTO event_acks (tenant, stream, seq)
  SELECT $1, $2, x FROM unnest(string_to_array($3, ',')::bigint[]) AS x
  WHERE x > coalesce((SELECT acked_seq FROM event_streams WHERE tenant = $1 AND stream = $2), 0)
  ON CONFLICT DO NOTHING`

// GREATEST: two replicas moving one stream at once (a receiver polling both) never move it back.
const ADVANCE = `WITH s AS (INSERT INTO event_streams (tenant, stream, acked_seq) VALUES ($1, $2, $3)
    ON CONFLICT (tenant, stream) DO UPDATE SET acked_seq = GREATEST(event_streams.acked_seq, excluded.acked_seq))
  DELETE FROM event_acks WHERE tenant = $1 AND stream = $2 AND seq <= $3`

/**
 * The positions every replica shares: a receiver that polls one replica and then another
 * continues where its acknowledgements stopped, and never gets an acknowledged event again. Each
 * method is one statement, so it needs no transaction of its own: `atomically` only runs the job.
 */
export class PgStreamPositions implements StreamStore {
  constructor(private readonly sql: SQL) {}

  async pollStream(tenant: string, tokenId: string | undefined): Promise<string> {
    if (tokenId === undefined) return POLL_STREAM
    const stream = tokenStream(tokenId)
    const [row] = (await this.sql.unsafe(
      `SELECT EXISTS (SELECT 1 FROM tokens WHERE id = $1 AND tenant = $2) AS token,
         EXISTS (SELECT 1 FROM event_streams WHERE tenant = $2 AND stream = $3) AS stream`,
      [tokenId, tenant, stream]
    )) as { token: boolean; stream: boolean }[]
    if (!row?.token) return POLL_STREAM
    if (!row.stream) await this.sql.unsafe(COPY_STREAM, [tenant, stream])
    return stream
  }

  async tokenHolds(tenant: string, tokenId: string, generation: string, now: Date): Promise<boolean> {
    return (
      ((await this.sql.unsafe(TOKEN_HOLDS, [tokenId, tenant, generation, now.toISOString()])) as unknown[]).length > 0
    )
  }

  async cursor(tenant: string, stream: string): Promise<StreamCursor> {
    const [row] = (await this.sql.unsafe(CURSOR, [tenant, stream])) as { ackedSeq: number | null; acks: string }[]
    const acked = new Set(row?.acks ? row.acks.split(',').map(Number) : [])
    return { ackedSeq: row?.ackedSeq ?? 0, acked }
  }

  async acknowledge(tenant: string, stream: string, seqs: readonly number[]): Promise<void> {
    if (seqs.length === 0) return
    await this.sql.unsafe(ACKNOWLEDGE, [tenant, stream, seqs.join(',')])
  }

  async advance(tenant: string, stream: string, seq: number): Promise<void> {
    await this.sql.unsafe(ADVANCE, [tenant, stream, seq])
  }

  async atomically<T>(fn: () => T): Promise<T> {
    return await fn()
  }
}

/**
 * Drops the poll streams of tokens revoked or expired at `now` (their acknowledgements go by the
 * foreign key's cascade), as events/streams.ts dropRevokedTokenStreams does on SQLite.
 */
export async function pgDropEndedStreams(sql: SQL, now: Date): Promise<number> {
  const done = await sql.unsafe(
    `DELETE FROM event_streams WHERE stream LIKE '${POLL_STREAM} %'
       AND substr(stream, ${POLL_STREAM.length + 2}) NOT IN (SELECT id FROM tokens WHERE expires IS NULL OR expires > $1)`,
    [now.toISOString()]
  )
  return done.count ?? 0
}
