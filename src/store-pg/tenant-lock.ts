// Serialises one tenant's chained writes (the journal's hash chain) across replicas with a transaction-scoped advisory lock.
import type { SQL } from 'bun'

/**
 * The first key of the two-key advisory locks this module takes (an arbitrary constant); the
 * second is hashtext(tenant). Two-key locks never meet the one-key migration lock (PostgreSQL
 * keeps the two key spaces apart). Two tenants whose names hash alike only wait for each other.
 */
export const TENANT_LOCK_SPACE = 1_430_644

/** The tenants whose lock each open transaction has sent: the lock is the transaction's until it ends. */
const held = new WeakMap<SQL, Set<string>>()

/**
 * Takes the tenant's lock inside transaction `tx` (from `sql.begin`); it is held until commit or
 * rollback. A journal append reads the chain's last hash and writes the next entry under it, so
 * two replicas appending for one tenant at once wait for each other instead of forking the chain.
 * Other tenants' appends do not wait.
 *
 * Sent once a transaction: a batch's tenant-generation check, each job's uniqueness lookups and
 * its journal append all ask for it, and each asking cost a statement (one more per POST, on both
 * sides of the connection). A later caller returns at once: the statement it sends next goes on
 * the same connection after the lock's, and PostgreSQL runs them in order, so it still runs under
 * the lock; should the lock fail, the transaction is aborted and that statement fails with it.
 * The statement is sent before this returns (the query runs once `then` is called).
 */
export function lockTenant(tx: SQL, tenant: string): Promise<void> {
  let tenants = held.get(tx)
  if (tenants?.has(tenant)) return Promise.resolve()
  if (!tenants) held.set(tx, (tenants = new Set()))
  tenants.add(tenant)
  return tx`SELECT pg_advisory_xact_lock(${TENANT_LOCK_SPACE}::int, hashtext(${tenant}::text))`.then(() => undefined)
}
