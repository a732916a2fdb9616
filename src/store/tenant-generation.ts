// A write of one life of a tenant never lands in another: each batch checks the tenant's generation once.
import type { Database } from 'bun:sqlite'
import { tenantGone } from './errors'
import type { WriteQueue } from './write-queue'

/**
 * The check a SQLite store runs before each write job: that `tenant` is still the life of the
 * name the store was built for (`generation`, which the request's token was read with,
 * tenants/registry.ts). A request authenticated before `tenant remove` and `tenant add` of the
 * name, and written after, otherwise landed in the new tenant, as migration 0008's trigger asks
 * only for the name. One indexed read per tenant per batch: the batch holds SQLite's write lock
 * from BEGIN IMMEDIATE to COMMIT, so no other connection changes the tenants table in between.
 * A refused job fails as a write for a removed tenant does (tenantGone); nothing of it is stored.
 */
export function tenantGenerationCheck(
  sqlite: Database,
  queue: WriteQueue,
  tenant: string,
  generation: string | undefined
): () => void {
  if (generation === undefined) return () => {}
  const same = sqlite.query<{ n: number }, [string, string]>(
    'SELECT count(*) AS n FROM tenants WHERE name = ? AND generation = ?'
  )
  let checkedIn = -1
  return () => {
    if (checkedIn === queue.batches) return
    if (!same.get(tenant, generation)?.n) throw tenantGone()
    checkedIn = queue.batches
  }
}
