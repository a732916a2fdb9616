// What change events read and write, over either store: values at once (SQLite) or promises (PostgreSQL).
import type { Effect } from '../service/effect'
import type { StreamCursor } from './pending'

/** A value now (a synchronous store) or later (an asynchronous one). */
export type Later<T> = T | Promise<T>

/**
 * Takes a Later inside an effect (src/service/effect.ts): a value is returned without a yield, so
 * over SQLite the poll and push code runs straight through, as it did before PostgreSQL.
 */
export function* taken<T>(value: Later<T>): Effect<T> {
  return value instanceof Promise ? ((yield value) as T) : value
}

/** Receivers' acknowledged positions (event_streams, event_acks): streams.ts on SQLite, store-pg/events-streams.ts. */
export interface StreamStore {
  /** The stream a token polls (its own when it is a stored token of the tenant, else the shared one). */
  pollStream(tenant: string, tokenId: string | undefined): Later<string>
  /**
   * Whether the stored token `tokenId` still authenticates for this life of the tenant
   * (`generation`) at `now`: not revoked, not expired, its tenant not removed (and added again).
   * Read from the database, not the token snapshot a request was let in by.
   */
  tokenHolds(tenant: string, tokenId: string, generation: string, now: Date): Later<boolean>
  /** Where the receiver is: position 0 and no acknowledgements for a stream never seen. */
  cursor(tenant: string, stream: string): Later<StreamCursor>
  /** Records acknowledgements of single positions (any order). */
  acknowledge(tenant: string, stream: string, seqs: readonly number[]): Later<void>
  /** Everything up to `seq` is acknowledged: the position moves there (never back). */
  advance(tenant: string, stream: string, seq: number): Later<void>
  /**
   * Runs `fn` in one transaction, shared with other writes, and resolves once it is durable (on
   * PostgreSQL each position write is one statement, durable on its own: `fn` just runs).
   */
  atomically<T>(fn: () => T): Promise<T>
}

/**
 * Which server delivers to a push receiver, so that replicas never push one event twice. A
 * single SQLite server has no such rule (every receiver is its own).
 */
export interface PushTurns {
  /** True while this server is the one delivering to the tenant's `stream`; false: another is. */
  mine(tenant: string, stream: string): Later<boolean>
  /** This server stops delivering to the stream (the receiver was removed, or the server stops). */
  release(tenant: string, stream: string): Later<void>
}

/** `f` of the value, at once when it is there (a synchronous store), else once it arrives. */
export function thenOf<T, U>(value: Later<T>, f: (value: T) => U): Later<U> {
  return value instanceof Promise ? value.then(f) : f(value)
}
