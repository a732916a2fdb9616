// Cache invalidation across replicas over PostgreSQL LISTEN/NOTIFY: a committed write names the entries other replicas must drop.
import type { SQL } from 'bun'

/** The one channel every replica of a database listens on. */
export const INVALIDATION_CHANNEL = 'scim_invalidate'

/** What a write changed: resources of one tenant by id; no ids means everything of the tenant. */
export interface Invalidation {
  tenant: string
  ids: readonly string[]
}

/** What a replica does with invalidations: drop the named entries, or every entry (after a gap). */
export interface InvalidationHandler {
  drop(change: Invalidation): void
  dropAll(): void
}

/** PostgreSQL refuses NOTIFY payloads of 8000 bytes or more; stay clear of the limit. */
const MAX_PAYLOAD_BYTES = 7000

/**
 * The NOTIFY payloads for one change: JSON `{tenant, ids}`, the ids split so that each payload
 * stays under the server's limit (a batch of imports can touch thousands of resources).
 */
export function invalidationPayloads(change: Invalidation): string[] {
  const encode = (ids: readonly string[]) => JSON.stringify({ tenant: change.tenant, ids })
  if (change.ids.length === 0) return [encode([])]
  const payloads: string[] = []
  let chunk: string[] = []
  let bytes = Buffer.byteLength(encode([]))
  for (const id of change.ids) {
    const more = Buffer.byteLength(JSON.stringify(id)) + 1
    if (chunk.length > 0 && bytes + more > MAX_PAYLOAD_BYTES) {
      payloads.push(encode(chunk))
      chunk = []
      bytes = Buffer.byteLength(encode([]))
    }
    chunk.push(id)
    bytes += more
  }
  payloads.push(encode(chunk))
  return payloads
}

/**
 * Announces a change from inside the write's transaction (`tx` from `sql.begin`): PostgreSQL
 * delivers a transaction's notifications only when it commits, after the rows are visible, and
 * drops them on rollback, so no replica drops an entry for a write that never happened.
 */
export async function publishInvalidation(tx: SQL, change: Invalidation): Promise<void> {
  for (const payload of invalidationPayloads(change)) await tx`SELECT pg_notify(${INVALIDATION_CHANNEL}, ${payload})`
}

function parse(payload: string): Invalidation | undefined {
  try {
    const v = JSON.parse(payload) as { tenant?: unknown; ids?: unknown }
    if (typeof v.tenant !== 'string' || !Array.isArray(v.ids) || !v.ids.every((id) => typeof id === 'string')) return
    return { tenant: v.tenant, ids: v.ids }
  } catch {
    return undefined
  }
}

/**
 * Listens for other replicas' changes. Bun's client keeps the LISTEN on a dedicated connection
 * and re-subscribes after it drops; notifications sent while it was down are lost, so every
 * re-subscription drops everything. A payload that is not ours also drops everything: dropping
 * too much costs a reload, dropping too little serves stale data.
 */
export async function subscribeInvalidations(sql: SQL, handler: InvalidationHandler): Promise<SQL.ListenSubscription> {
  let subscribed = false
  return await sql.listen(
    INVALIDATION_CHANNEL,
    (payload) => {
      const change = parse(payload)
      if (change) handler.drop(change)
      else handler.dropAll()
    },
    () => {
      if (subscribed) handler.dropAll()
      subscribed = true
    }
  )
}
