// Which tenant and scope a presented bearer token grants: the tokens table, re-read within a second of any change.
import type { Database } from 'bun:sqlite'
import { hashToken } from './tokens'

/** `provision`: full SCIM access; `read`: reads and searches only; `metrics`: GET /metrics only. */
export type TokenScope = 'provision' | 'read' | 'metrics'

export interface TokenRecord {
  id: string
  tenant: string
  /** The admin's name for the token (`token --name`), if given. */
  label: string | null
  scope: TokenScope
  /** ISO time after which the token is refused, or null for never. */
  expires: string | null
  /**
   * The generation of its tenant when the token was read (tenants.generation): a request it
   * authenticates is served only by that life of the tenant, never by one added again under the
   * name. Undefined for tokens that are not stored (--token), which are the default tenant's.
   */
  generation?: string
}

/** Finds the record of a token by the SHA-256 of it; implemented over the database and over fixed lists. */
export interface TokenSource {
  /** The current records by hex hash; a new Map object whenever the set changed. */
  byHash(): ReadonlyMap<string, TokenRecord>
  /** Told of each request a record's token authenticated (stored tokens keep `last_used`); cheap, never writes. */
  used?(record: TokenRecord): void
}

/**
 * Tokens given on the command line or to an embedded server: provisioning tokens of the default
 * tenant, never stored.
 */
export function fixedTokens(hashes: readonly Buffer[]): TokenSource {
  const map = new Map<string, TokenRecord>()
  for (const [i, hash] of hashes.entries()) {
    const record: TokenRecord = {
      id: `given-${i + 1}`,
      tenant: 'default',
      label: null,
      scope: 'provision',
      expires: null,
    }
    map.set(hash.toString('hex'), record)
  }
  return { byHash: () => map }
}

/**
 * The tokens table, re-read at most every `maxAgeMs` (so a token issued or revoked by the command
 * line beside a live server takes effect within a second, without a restart). The token `serve`
 * issues once it listens works at once because the server then opens a fresh reader
 * (ScimServer.tenantsChanged); an empty table is not re-read on every request, which cost a
 * query per request for servers that take their tokens from --token.
 * Lookups go by the token's hash, so the table holds nothing that would let a reader sign in.
 * `usage` (auth/last-used.ts) hears of every use, for `tokens.last_used`.
 */
export function storedTokens(db: Database, maxAgeMs = 1000, usage?: { seen(id: string): void }): TokenSource {
  const select = db.query<TokenRow, []>(TOKEN_ROWS)
  const follow = tokenMapFollower()
  let map = follow(select.all())
  let readAt = Date.now()
  return {
    byHash() {
      const now = Date.now()
      if (now - readAt >= maxAgeMs) {
        map = follow(select.all())
        readAt = now
      }
      return map
    },
    used: usage ? (record) => usage.seen(record.id) : undefined,
  }
}

/** Every stored token with its tenant's generation, read in one statement so the two belong together. */
export const TOKEN_ROWS = `SELECT t.id, t.tenant, t.label, t.scope, t.expires, t.hash, n.generation
  FROM tokens t JOIN tenants n ON n.name = t.tenant`

/** A stored token's row: its record and the hex hash it is found by. */
export type TokenRow = TokenRecord & { hash: string }

/**
 * Turns each read of the tokens table into the map byHash() answers: the same Map object while
 * the records are unchanged, so callers that memoise on it (givenAndStored) rebuild only on change.
 */
export function tokenMapFollower(): (rows: readonly TokenRow[]) => ReadonlyMap<string, TokenRecord> {
  let map: ReadonlyMap<string, TokenRecord> = new Map()
  return (rows) => {
    const fresh = new Map(
      rows.map(
        ({ hash, id, tenant, label, scope, expires, generation }) =>
          [hash, { id, tenant, label, scope, expires, generation }] as const
      )
    )
    if (!sameRecords(fresh, map)) map = fresh
    return map
  }
}

function sameRecords(a: ReadonlyMap<string, TokenRecord>, b: ReadonlyMap<string, TokenRecord>): boolean {
  if (a.size !== b.size) return false
  for (const [hash, x] of a) {
    const y = b.get(hash)
    if (
      !y ||
      y.id !== x.id ||
      y.tenant !== x.tenant ||
      y.scope !== x.scope ||
      y.expires !== x.expires ||
      y.label !== x.label ||
      y.generation !== x.generation
    )
      return false
  }
  return true
}

/** The record a token grants now: none when unknown or expired. */
export function resolveToken(source: TokenSource, token: string, now = Date.now()): TokenRecord | undefined {
  const record = source.byHash().get(hashToken(token).toString('hex'))
  if (!record) return undefined
  if (record.expires !== null && Date.parse(record.expires) <= now) return undefined
  return record
}
