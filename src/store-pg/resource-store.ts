// The PostgreSQL ResourceStore (asynchronous): reads by key and lists over Bun SQL, one transaction per write job.
import type { SQL } from 'bun'
import type { BunSQLDatabase } from 'drizzle-orm/bun-sql'
import { DEFAULT_LIMITS, type Limits } from '../scim/limits'
import type { AsyncResourceStore, AsyncWriteTx } from './async-store'
import { isRetryable, translatePgStorageError } from './errors'
import { publishInvalidation } from './invalidation'
import { pgListQuery } from './list-query'
import { pgMigrationStatus } from './migrate'
import { MIGRATIONS } from './migrations.gen'
import { pgReads } from './reads'
import { createPgWriteTx, type Touched } from './write-tx'

/** A job that lost a deadlock (or a serialization conflict) is run again this many times in all. */
const ATTEMPTS = 3

export interface PgStoreOptions {
  /** Whose resources this store reads and writes (tenants.name); every query is scoped to it. */
  tenant?: string
  limits?: Limits
  /** False runs without the provisioning journal (SCIM_JOURNAL=off), as for the SQLite store. */
  journaling?: boolean
  /**
   * Announce each committed write's ids on the invalidation channel (invalidation.ts), for
   * replicas that cache lookups. Off by default: this store caches nothing, so every read
   * already sees every committed write of every replica.
   */
  publish?: boolean
}

/**
 * The ResourceStore of src/service/context.ts on PostgreSQL, behind its asynchronous mirror.
 * There is no group commit: each job is its own transaction, and PostgreSQL's own group commit
 * (commit_delay, and concurrent transactions sharing WAL flushes) shares the syncs of jobs
 * arriving together, as the write queue does for SQLite. A job that loses a deadlock to another
 * (two jobs bumping each other's dependents) is rolled back whole and run again.
 */
export function createPgResourceStore(
  db: BunSQLDatabase & { $client: SQL },
  options: PgStoreOptions = {}
): AsyncResourceStore {
  const client = db.$client
  const tenant = options.tenant ?? 'default'
  const limits = options.limits ?? DEFAULT_LIMITS
  const journaling = options.journaling !== false
  const reads = pgReads(tenant)
  const counters = { writeBatches: 0, writeJobs: 0 }

  const attempt = <T>(fn: (tx: AsyncWriteTx) => Promise<T>) =>
    client.begin(async (tx) => {
      const touched: Touched = { ids: new Set() }
      const value = await fn(createPgWriteTx(tx, reads, tenant, limits, journaling, touched))
      if (options.publish && touched.ids.size > 0) await publishInvalidation(tx, { tenant, ids: [...touched.ids] })
      return value
    }) as Promise<T>

  return {
    get: (type, id) => reads.byId(client, type.name, id),
    findByName: (type, name) => reads.byName(client, type.name, name),
    findByExternalId: (type, externalId) => reads.byExternalId(client, type.name, externalId),
    query: (type, q) => pgListQuery(client, tenant, type, q),
    recentlyModified: (type, limit) => reads.recentlyModified(client, type.name, limit),
    modifiedSince: (type, since) => reads.modifiedSince(client, type.name, since),
    members: (groupId) => reads.members(client, groupId),
    memberPage: (groupId, limit) => reads.memberPage(client, groupId, limit),
    groupsOf: async (user) => user.groupsRead ?? (await reads.groupsOf(client, user.id)),
    async write(fn) {
      counters.writeBatches++
      counters.writeJobs++
      for (let n = 1; ; n++) {
        try {
          return await attempt(fn)
        } catch (err) {
          if (n < ATTEMPTS && isRetryable(err)) continue
          throw translatePgStorageError(err)
        }
      }
    },
    stats: async () => ({ lookupHits: 0, lookupMisses: 0, ...counters }),
    async readinessProblem() {
      try {
        const [row] = (await client`SELECT pg_is_in_recovery() AS standby`) as { standby: boolean }[]
        if (row?.standby) return 'the database is a read-only standby'
        const { pending, unknown } = await pgMigrationStatus(client, MIGRATIONS)
        if (unknown > 0) return 'the database was migrated by a newer build'
        if (pending.length > 0) return `the database lacks ${pending.length} migration(s) of this build`
        return undefined
      } catch (err) {
        return `the database cannot be reached: ${(err as Error).message}`
      }
    },
    close: () => client.close(),
  }
}
