// RFC 9865 cursor paging: opaque cursors that name a position in a query's id order.
import { ScimError } from './errors'
import { isStorableText } from './storable'

/** Where a page starts: after (nextCursor) or before (previousCursor) the resource with this id. */
export interface CursorPosition {
  direction: 'after' | 'before'
  id: string
}

const VERSION = 1

/** Text this server did not issue as a cursor, or not for a deployment of it. */
const notIssuedHere = () =>
  ScimError.invalidCursor('the cursor is not one this server issued; send an empty cursor for the first page')

/** How far ahead of this server's clock another replica's may be when it issues a cursor. */
export const CURSOR_CLOCK_SKEW_SECONDS = 300

/**
 * What a cursor is bound to: the resource type and the filter, as the client sent them (RFC 9865
 * §2: the client repeats every other parameter unchanged, and only `cursor` moves).
 */
export function queryFingerprint(type: string, filter: string | undefined): string {
  return Bun.hash(`${type}\u0000${filter ?? ''}`).toString(36)
}

/** Encodes a position with the query it belongs to and when it was issued (seconds since the epoch). */
export function encodeCursor(position: CursorPosition, fingerprint: string, issuedAt: number): string {
  return Buffer.from(
    JSON.stringify([VERSION, position.direction === 'after' ? 'a' : 'b', position.id, fingerprint, issuedAt])
  ).toString('base64url')
}

/**
 * Reads a cursor given back by a client. Anything this server did not issue for this query is
 * `invalidCursor`; one older than `timeoutSeconds` is `expiredCursor` (RFC 9865 §2.2). A cursor
 * carries no secret: it only names a position inside the same query of the same client.
 */
export function decodeCursor(text: string, fingerprint: string, now: number, timeoutSeconds: number): CursorPosition {
  let fields: unknown
  try {
    fields = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'))
  } catch {
    fields = undefined
  }
  if (!Array.isArray(fields) || fields.length !== 5 || fields[0] !== VERSION) {
    throw notIssuedHere()
  }
  const [, direction, id, boundTo, issuedAt] = fields
  // The id is a stored one in every cursor issued here: text no write stores (a NUL, which
  // PostgreSQL refuses to compare with) names no position.
  const storedId = typeof id === 'string' && isStorableText(id)
  if ((direction !== 'a' && direction !== 'b') || !storedId || typeof issuedAt !== 'number') {
    throw notIssuedHere()
  }
  if (boundTo !== fingerprint)
    throw ScimError.invalidCursor(
      'the cursor belongs to another query: repeat the filter of the request that returned it'
    )
  // A cursor from further ahead was not issued by a server of this deployment, and would never expire.
  if (issuedAt - now > CURSOR_CLOCK_SKEW_SECONDS) throw notIssuedHere()
  if (now - issuedAt > timeoutSeconds) {
    throw ScimError.expiredCursor(
      `the cursor has expired: request the next page within cursorTimeout (${timeoutSeconds} s)`
    )
  }
  return { direction: direction === 'a' ? 'after' : 'before', id }
}
