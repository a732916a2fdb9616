// Serialises one tenant's chained writes (the journal's hash chain) across replicas with a transaction-scoped advisory lock.
import type { SQL } from 'bun'

/**
 * The first key of the two-key advisory locks this module takes (an arbitrary constant); the
 * second is hashtext(tenant). Two-key locks never meet the one-key migration lock (PostgreSQL
 * keeps the two key spaces apart). Two tenants whose names hash alike only wait for each other.
 */
export const TENANT_LOCK_SPACE = 1_430_644

/**
 * Takes the tenant's lock inside transaction `tx` (from `sql.begin`); it is held until commit or
 * rollback. A journal append reads the chain's last hash and writes the next entry under it, so
 * two replicas appending for one tenant at once wait for each other instead of forking the chain.
 * Other tenants' appends do not wait.
 */
export async function lockTenant(tx: SQL, tenant: string): Promise<void> {
  await tx`SELECT pg_advisory_xact_lock(${TENANT_LOCK_SPACE}::int, hashtext(${tenant}::text))`
}
