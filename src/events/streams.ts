// Receivers' acknowledged positions in the event_streams and event_acks tables (bun:sqlite).
import type { Database } from 'bun:sqlite'
import type { StreamCursor } from './pending'
import type { StreamStore } from './store'

/**
 * The shared poll stream: the server's own tokens (`--token`, an embedded server's) poll it, as
 * every poller did before each stored token had one of its own (tokenStream). A push receiver's
 * is `push <url>`.
 */
export const POLL_STREAM = 'poll'

/** The stream a stored token polls: its position is its own, so two apps never acknowledge each other's events. */
export function tokenStream(id: string): string {
  return `${POLL_STREAM} ${id}`
}

/** The stream of one RFC 8935 receiver: its position is its own, apart from the poll's and other receivers'. */
export function pushStream(url: string): string {
  return `push ${url}`
}

/** A stored token that still authenticates for one life of its tenant ($1 id, $2 tenant, $3 generation, $4 now): one text for both stores. */
export const TOKEN_HOLDS = `SELECT 1 AS one FROM tokens t JOIN tenants n ON n.name = t.tenant
  WHERE t.id = $1 AND t.tenant = $2 AND n.generation = $3 AND (t.expires IS NULL OR t.expires > $4)`

/**
 * Survives restarts: a receiver that comes back after a day starts where its acknowledgements
 * stopped. Positions are journal seqs, so the state per receiver is one row plus the few
 * acknowledgements that arrived ahead of an unacknowledged event.
 */
export class StreamPositions implements StreamStore {
  private readonly readSeq
  private readonly readAcks
  private readonly addStream
  private readonly addAck
  private readonly moveTo
  private readonly dropAcks
  private readonly isStoredToken
  private readonly holds
  private readonly copyStream
  private readonly copyAcks

  /**
   * `write` runs a job in a transaction and resolves once it is durable: the server's write queue,
   * so position writes share the commits of requests instead of syncing the disk on their own.
   */
  constructor(
    private readonly db: Database,
    private readonly write: <T>(fn: () => T) => Promise<T> = async (fn) => db.transaction(fn)()
  ) {
    this.readSeq = db.query<{ acked_seq: number }, [string, string]>(
      'SELECT acked_seq FROM event_streams WHERE tenant = ? AND stream = ?'
    )
    this.readAcks = db.query<{ seq: number }, [string, string]>(
      'SELECT seq FROM event_acks WHERE tenant = ? AND stream = ?'
    )
    this.addStream = db.query('INSERT OR IGNORE INTO event_streams (tenant, stream, acked_seq) VALUES (?, ?, 0)')
    this.addAck = db.query(
      `INSERT OR IGNORE INTO event_acks (tenant, stream, seq)
       SELECT ?1, ?2, ?3 WHERE ?3 > (SELECT acked_seq FROM event_streams WHERE tenant = ?1 AND stream = ?2)`
    )
    this.moveTo = db.query('UPDATE event_streams SET acked_seq = max(acked_seq, ?3) WHERE tenant = ?1 AND stream = ?2')
    this.dropAcks = db.query('DELETE FROM event_acks WHERE tenant = ? AND stream = ? AND seq <= ?')
    this.isStoredToken = db.query<{ id: string }, [string, string]>('SELECT id FROM tokens WHERE id = ? AND tenant = ?')
    this.holds = db.query<{ one: number }, [string, string, string, string]>(TOKEN_HOLDS)
    this.copyStream = db.query(
      `INSERT OR IGNORE INTO event_streams (tenant, stream, acked_seq)
       VALUES (?1, ?2, coalesce((SELECT acked_seq FROM event_streams WHERE tenant = ?1 AND stream = '${POLL_STREAM}'), 0))`
    )
    this.copyAcks = db.query(
      `INSERT OR IGNORE INTO event_acks (tenant, stream, seq)
       SELECT tenant, ?2, seq FROM event_acks WHERE tenant = ?1 AND stream = '${POLL_STREAM}'`
    )
  }

  /**
   * The stream the token with `tokenId` polls: its own when it is a stored token of the tenant,
   * else (the server's --token, no token) the shared one. A token's stream starts on its first
   * poll as a copy of the shared stream, so an app that polled before streams were per token
   * loses no position, else at the oldest entry; from then on it moves alone.
   */
  pollStream(tenant: string, tokenId: string | undefined): string {
    if (tokenId === undefined || !this.isStoredToken.get(tokenId, tenant)) return POLL_STREAM
    const stream = tokenStream(tokenId)
    if (this.readSeq.get(tenant, stream)) return stream
    this.db.transaction(() => {
      if (this.copyStream.run(tenant, stream).changes > 0) this.copyAcks.run(tenant, stream)
    })()
    return stream
  }

  tokenHolds(tenant: string, tokenId: string, generation: string, now: Date): boolean {
    return this.holds.get(tokenId, tenant, generation, now.toISOString()) !== null
  }

  /**
   * Runs `fn` in one transaction of the writer (the writes of the methods it calls nest in it as
   * savepoints) and resolves once that committed.
   */
  atomically<T>(fn: () => T): Promise<T> {
    return this.write(fn)
  }

  /** Where the receiver is: position 0 and no acknowledgements for a stream never seen. */
  cursor(tenant: string, stream: string): StreamCursor {
    const ackedSeq = this.readSeq.get(tenant, stream)?.acked_seq ?? 0
    return { ackedSeq, acked: new Set(this.readAcks.all(tenant, stream).map((r) => r.seq)) }
  }

  /** Records acknowledgements of single positions (any order), in one transaction. */
  acknowledge(tenant: string, stream: string, seqs: readonly number[]): void {
    if (seqs.length === 0) return
    this.db.transaction(() => {
      this.addStream.run(tenant, stream)
      for (const seq of seqs) this.addAck.run(tenant, stream, seq)
    })()
  }

  /** Everything up to `seq` is acknowledged: the position moves there (never back). */
  advance(tenant: string, stream: string, seq: number): void {
    this.db.transaction(() => {
      this.addStream.run(tenant, stream)
      this.moveTo.run(tenant, stream, seq)
      this.dropAcks.run(tenant, stream, seq)
    })()
  }
}

/** Stored tokens' poll streams whose token is gone (revoked) or expired at `now` (ISO time as ?1). */
const ENDED_TOKEN_STREAMS = `stream LIKE '${POLL_STREAM} %'
  AND substr(stream, ${POLL_STREAM.length + 2}) NOT IN (SELECT id FROM tokens WHERE expires IS NULL OR expires > ?1)`

/**
 * Drops the poll streams of tokens that can no longer poll (with their acknowledgements, by the
 * foreign key's cascade): revoked ones, and expired ones, since an expired token is refused for
 * good (an expiry cannot be extended; its replacement is a new token with a stream of its own).
 * Run after tokens are revoked, and by the server now and then (dropEndedStreamsLater), so a
 * stream never outlives its token.
 */
export function dropRevokedTokenStreams(db: Database, now: Date = new Date()): number {
  return db.query(`DELETE FROM event_streams WHERE ${ENDED_TOKEN_STREAMS}`).run(now.toISOString()).changes
}

/**
 * Drops ended tokens' streams through `write` (the server's writer) when there are any: the check
 * is a read, so a server whose tokens are all valid writes nothing for it.
 */
export function dropEndedStreamsLater(
  db: Database,
  now: Date,
  write: <T>(fn: () => T) => Promise<T>
): Promise<number> | undefined {
  const any = db.query<{ one: number }, [string]>(
    `SELECT 1 AS one FROM event_streams WHERE ${ENDED_TOKEN_STREAMS} LIMIT 1`
  )
  return any.get(now.toISOString()) ? write(() => dropRevokedTokenStreams(db, now)) : undefined
}

/** The tenant's last journal position (0 while it has none): a stream placed here gets what is appended from now on. */
export function journalHead(db: Database, tenant: string): number {
  const row = db.query<{ seq: number }, [string]>('SELECT coalesce(max(seq), 0) AS seq FROM journal WHERE tenant = ?')
  return row.get(tenant)?.seq ?? 0
}

/** Puts `stream` at `seq`, forgetting where it was and what it acknowledged beyond it. */
export function placeStream(db: Database, tenant: string, stream: string, seq: number): void {
  db.query('DELETE FROM event_acks WHERE tenant = ? AND stream = ?').run(tenant, stream)
  db.query(
    `INSERT INTO event_streams (tenant, stream, acked_seq) VALUES (?1, ?2, ?3)
     ON CONFLICT (tenant, stream) DO UPDATE SET acked_seq = excluded.acked_seq`
  ).run(tenant, stream, seq)
}

/** Forgets `stream` (its acknowledgements go with it, by the foreign key's cascade). */
export function dropStream(db: Database, tenant: string, stream: string): void {
  db.query('DELETE FROM event_streams WHERE tenant = ? AND stream = ?').run(tenant, stream)
}
