// The PostgreSQL store's reads by key through the lookup cache, each entry checked against the tenant's change token.
import type { SQL } from 'bun'
import type { StoredResource } from '../service/context'
import { inInsertionOrder, type ReadRow, storedOf } from '../store/hot-statements'
import { type LookupCache, type LookupKind, lookupScope } from '../store/lookup-cache'
import { packRows, unpackRows } from '../store/packed-rows'
import { canNameRow, selectOf } from './reads'

/** Between an entry's token and its packed rows; a token is a UUID, so it never holds one. */
const SEP = '\u0000'

/** The tenant's token alone: an index lookup of one small row (~12 µs of PostgreSQL CPU, the read ~40). */
const TOKEN = 'SELECT token FROM resource_changes WHERE tenant = $1'

const COLUMNS: Record<LookupKind, string> = { id: 'id', name: 'name_ci', externalId: 'external_id' }

/**
 * The rows of a key with the tenant's change token, read in one statement (one snapshot), so an
 * entry holds rows and the token they were current at. The token comes also when no row matches
 * (the LEFT JOIN), so an empty answer is cached as well.
 */
function statementOf(type: string, kind: LookupKind): string {
  return `SELECT c.token, r.* FROM (SELECT (${TOKEN}) AS token) c
    LEFT JOIN LATERAL (${selectOf(type, `${COLUMNS[kind]} = $3`)}) r ON true`
}

type TokenRow = { token: string | null } & { [K in keyof ReadRow]: ReadRow[K] | null }

/**
 * Reads by id, folded name and externalId for one tenant, cached across requests. The cache is
 * the SQLite store's LookupCache (same byte budget, same admission on a key's second miss), its
 * keys scoped by tenant and generation (`scope`, store/lookup-cache.ts lookupScope); what differs is how an entry is known to be fresh. SQLite sees every
 * write of its own process; here any replica may have written. Every transaction that changes a
 * resource of a tenant, or a row that shows one (store-pg/write-tx.ts `note`), gives the tenant a
 * new change token before it commits (store-pg/write-queue.ts), so an entry whose token is still
 * the database's is exactly what the rows are now, whichever replica wrote last: a hit asks the
 * database for the token alone. An entry older than the newest token this store has seen is
 * stale without asking, so a change costs at most one token read before reads go back to rows.
 * A tenant that never changed has no token, and nothing of it is cached until it does.
 */
export function pgCachedReads(client: SQL, tenant: string, cache: LookupCache, scope = lookupScope(tenant)) {
  const statements = new Map<string, string>()
  let newest: string | null = null
  const statement = (type: string, kind: LookupKind) => {
    const key = `${type}\u0000${kind}`
    let text = statements.get(key)
    if (text === undefined) statements.set(key, (text = statementOf(type, kind)))
    return text
  }
  const tokenNow = async () => ((await client.unsafe(TOKEN, [tenant])) as { token: string }[])[0]?.token ?? null
  const read = async (type: string, kind: LookupKind, value: string): Promise<StoredResource[]> => {
    if (!canNameRow(value)) return []
    const entry = cache.peek(scope + type, kind, value)
    if (entry !== undefined) {
      const known = entry.slice(0, entry.indexOf(SEP))
      if (known === newest && (newest = await tokenNow()) === known) {
        cache.hits++
        return unpackRows(entry.slice(known.length + 1)).map((row) => storedOf(type, row))
      }
    }
    cache.misses++
    const result = (await client.unsafe(statement(type, kind), [tenant, type, value])) as TokenRow[]
    const token = result[0]?.token ?? null
    newest = token
    const rows: ReadRow[] = []
    for (const r of result) {
      if (r.id === null) continue
      rows.push(r as ReadRow)
    }
    inInsertionOrder(rows)
    if (token !== null)
      cache.offer(scope + type, kind, value, () => {
        const packed = packRows(rows)
        return packed === undefined ? undefined : token + SEP + packed
      })
    return rows.map((row) => storedOf(type, row))
  }
  return {
    byId: async (type: string, id: string) => (await read(type, 'id', id))[0],
    byName: (type: string, nameKey: string) => read(type, 'name', nameKey),
    byExternalId: (type: string, externalId: string) => read(type, 'externalId', externalId),
  }
}
