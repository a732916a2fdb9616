// Which replica pushes to each receiver: a session-level advisory lock per stream, held on a connection of its own.
import type { ReservedSQL, SQL } from 'bun'
import type { PushTurns } from '../events/store'

/** The first key of the turn locks (the second is hashtext of tenant and stream); apart from the tenant locks' space. */
export const TURN_LOCK_SPACE = 1_430_645

/** True when this session holds the stream's lock ($1 the space, $2 the key). */
const HELD = `EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()
    AND granted AND objsubid = 2 AND classid = ($1::int)::oid AND objid = (hashtext($2::text))::oid)`

// Held already on this session or taken now: asking again never stacks a second hold, and a hold
// lost with a dropped connection is seen as lost. CASE evaluates in order.
const MINE = `SELECT CASE WHEN ${HELD} THEN true ELSE pg_try_advisory_lock($1::int, hashtext($2::text)) END AS mine`

// Only a lock this session holds (unlocking another's would only warn).
const RELEASE = `SELECT CASE WHEN ${HELD} THEN pg_advisory_unlock($1::int, hashtext($2::text)) END AS released`

/**
 * One replica at a time delivers to a receiver, so no event is pushed twice by two replicas. The
 * replica whose dedicated connection holds the stream's lock delivers; the others ask again now
 * and then (events/push.ts). Session locks end with their session: when that replica dies or
 * loses its connection, PostgreSQL releases its locks and another replica takes the receiver
 * over from its stored position. Two streams whose keys hash alike share one turn (only the
 * replica holding both delivers to both).
 */
export class PgPushTurns implements PushTurns {
  private connection: Promise<ReservedSQL> | undefined
  private closed = false

  constructor(private readonly sql: SQL) {}

  async mine(tenant: string, stream: string): Promise<boolean> {
    if (this.closed) return false
    const held = this.connect()
    try {
      const [row] = (await (await held).unsafe(MINE, [TURN_LOCK_SPACE, keyOf(tenant, stream)])) as { mine: boolean }[]
      return row?.mine === true
    } catch (err) {
      // A broken connection held nothing any more: the next ask starts a new session.
      if (this.connection === held) this.connection = undefined
      void held.then((c) => c.close()).catch(() => {})
      throw err
    }
  }

  async release(tenant: string, stream: string): Promise<void> {
    const held = this.connection
    if (!held || this.closed) return
    await (await held).unsafe(RELEASE, [TURN_LOCK_SPACE, keyOf(tenant, stream)])
  }

  /** Ends the session, and every turn it held with it (closed, not returned to the pool, where the locks would stay). */
  async close(): Promise<void> {
    this.closed = true
    const held = this.connection
    this.connection = undefined
    if (held) await (await held).close().catch(() => {})
  }

  private connect(): Promise<ReservedSQL> {
    this.connection ??= this.sql.reserve()
    return this.connection
  }
}

function keyOf(tenant: string, stream: string): string {
  return `${tenant} ${stream}`
}
