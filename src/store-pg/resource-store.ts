// The PostgreSQL ResourceStore: effects that wait for Bun SQL's reads and lists, one transaction per write job.
import type { SQL } from 'bun'
import type { BunSQLDatabase } from 'drizzle-orm/bun-sql'
import { DEFAULT_LIMITS, type Limits } from '../scim/limits'
import type { ResourceStore, WriteTx } from '../service/context'
import { awaited, type Effect, run } from '../service/effect'
import { isRetryable, translatePgStorageError } from './errors'
import { publishInvalidation } from './invalidation'
import { pgListQuery } from './list-query'
import { pgMigrationStatus } from './migrate'
import { MIGRATIONS } from './migrations.gen'
import { pgReads } from './reads'
import { createPgWriteTx, type Touched } from './write-tx'

/** How old the last readiness check may be before readinessProblem starts another. */
const READINESS_MAX_AGE_MS = 1000

/** A job that lost a deadlock (or a serialization conflict) is run again this many times in all. */
const ATTEMPTS = 3

/** The PostgreSQL store: a ResourceStore, and the readiness check its probe answers from. */
export interface PgResourceStore extends ResourceStore {
  /** Asks the database whether it can serve (reachable, writable, migrated by this build). */
  checkReadiness(): Promise<string | undefined>
}

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
 * The ResourceStore of src/service/context.ts on PostgreSQL: each read is an effect that yields
 * its query's promise, and a write job's effect is driven inside its transaction with `run`, which
 * awaits each statement the job yields.
 * There is no group commit: each job is its own transaction, and PostgreSQL's own group commit
 * (commit_delay, and concurrent transactions sharing WAL flushes) shares the syncs of jobs
 * arriving together, as the write queue does for SQLite. A job that loses a deadlock to another
 * (two jobs bumping each other's dependents) is rolled back whole and run again.
 */
export function createPgResourceStore(
  db: BunSQLDatabase & { $client: SQL },
  options: PgStoreOptions = {}
): PgResourceStore {
  const client = db.$client
  const tenant = options.tenant ?? 'default'
  const limits = options.limits ?? DEFAULT_LIMITS
  const journaling = options.journaling !== false
  const reads = pgReads(tenant)
  const counters = { writeBatches: 0, writeJobs: 0 }

  let readiness: { problem: string | undefined; at: number } | undefined
  let checking: Promise<string | undefined> | undefined

  const attempt = <T>(fn: (tx: WriteTx) => Effect<T>) =>
    client.begin(async (tx) => {
      const touched: Touched = { ids: new Set() }
      const value = await run(fn(createPgWriteTx(tx, reads, tenant, limits, journaling, touched)))
      if (options.publish && touched.ids.size > 0) await publishInvalidation(tx, { tenant, ids: [...touched.ids] })
      return value
    }) as Promise<T>

  const checkReadiness = async (): Promise<string | undefined> => {
    let problem: string | undefined
    try {
      const [row] = (await client`SELECT pg_is_in_recovery() AS standby`) as { standby: boolean }[]
      const { pending, unknown } = await pgMigrationStatus(client, MIGRATIONS)
      if (row?.standby) problem = 'the database is a read-only standby'
      else if (unknown > 0) problem = 'the database was migrated by a newer build'
      else if (pending.length > 0) problem = `the database lacks ${pending.length} migration(s) of this build`
    } catch (err) {
      problem = `the database cannot be reached: ${(err as Error).message}`
    }
    readiness = { problem, at: performance.now() }
    return problem
  }

  // One check at a time: callers while one runs share its answer.
  const check = () => (checking ??= checkReadiness().finally(() => (checking = undefined)))

  return {
    get: (type, id) => awaited(reads.byId(client, type.name, id)),
    findByName: (type, name) => awaited(reads.byName(client, type.name, name)),
    findByExternalId: (type, externalId) => awaited(reads.byExternalId(client, type.name, externalId)),
    query: (type, q) => awaited(pgListQuery(client, tenant, type, q)),
    recentlyModified: (type, limit) => awaited(reads.recentlyModified(client, type.name, limit)),
    modifiedSince: (type, since) => awaited(reads.modifiedSince(client, type.name, since)),
    members: (groupId) => awaited(reads.members(client, groupId)),
    memberPage: (groupId, limit) => awaited(reads.memberPage(client, groupId, limit)),
    *groupsOf(user) {
      return user.groupsRead ?? (yield* awaited(reads.groupsOf(client, user.id)))
    },
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
    stats: () => ({ lookupHits: 0, lookupMisses: 0, ...counters }),
    checkReadiness: check,
    readinessProblem() {
      // The probe cannot wait for the database: it answers the last check and starts the next.
      if (!readiness || performance.now() - readiness.at > READINESS_MAX_AGE_MS) void check()
      return readiness ? readiness.problem : 'the database has not been checked yet'
    },
    close: () => void client.close(),
  }
}
