// The PostgreSQL ResourceStore: effects that wait for Bun SQL's reads and lists, write jobs committed in batches.
import type { SQL } from 'bun'
import type { BunSQLDatabase } from 'drizzle-orm/bun-sql'
import { DEFAULT_LIMITS, type Limits } from '../scim/limits'
import type { ResourceStore, WriteTx } from '../service/context'
import { awaited, type Effect, run } from '../service/effect'
import { translatePgStorageError } from './errors'
import { publishInvalidation } from './invalidation'
import { pgListQuery } from './list-query'
import { pgMigrationStatus } from './migrate'
import { MIGRATIONS } from './migrations.gen'
import { pgReads } from './reads'
import { pgCachedReads } from './cached-reads'
import { LookupCache, lookupScope } from '../store/lookup-cache'
import { PgJournalAppends } from './journal'
import { type BatchState, PgWriteBatches } from './write-batches'
import { PgWriteQueue } from './write-queue'
import { createPgWriteTx, sameGeneration, type Touched } from './write-tx'
import { tenantGone } from '../store/errors'

/** How old the last readiness check may be before readinessProblem starts another. */
const READINESS_MAX_AGE_MS = 1000

/** What the jobs of one transaction share: the tenant's journal chain and the ids they changed. */
interface PgBatch {
  appends: PgJournalAppends
  queue: PgWriteQueue
  touched: Touched
}

/**
 * Waits for one of the store's reads outside a transaction. A server that cannot be reached (or
 * is starting, shutting down, out of connections) is the 503 writes give (errors.ts
 * translatePgStorageError), not the driver's error, which would be a 500: every read entry point
 * goes through here, as every write goes through `write`.
 */
function* read<T>(promise: Promise<T>): Effect<T> {
  try {
    return yield* awaited(promise)
  } catch (err) {
    throw translatePgStorageError(err)
  }
}

/** The PostgreSQL store: a ResourceStore, and the readiness check its probe answers from. */
export interface PgResourceStore extends ResourceStore {
  /** Asks the database whether it can serve (reachable, writable, migrated by this build). */
  checkReadiness(): Promise<string | undefined>
}

export interface PgStoreOptions {
  /** Whose resources this store reads and writes (tenants.name); every query is scoped to it. */
  tenant?: string
  /** Which life of the tenant's name (tenants.generation): its lookups are cached under it, its write batches check it. */
  generation?: string
  limits?: Limits
  /** False runs without the provisioning journal (SCIM_JOURNAL=off), as for the SQLite store. */
  journaling?: boolean
  /**
   * Announce each committed write's ids on the invalidation channel (invalidation.ts), for
   * listeners outside the store. Off by default: the store's own cached reads check the tenant's
   * change token on every read (cached-reads.ts), so each sees every committed write of every replica.
   */
  publish?: boolean
  /** The lookup cache shared by every tenant's store of a server (its byte budget is the server's); default: one of its own. */
  lookups?: LookupCache
}

/**
 * The ResourceStore of src/service/context.ts on PostgreSQL: each read is an effect that yields
 * its query's promise, and a write job's effect is driven inside its transaction with `run`, which
 * awaits each statement the job yields.
 * Jobs that arrive while a transaction runs share the next one (write-batches.ts): the tenant's
 * journal lock, held to COMMIT, would otherwise make its writes wait for each other's disk flush.
 * A batch that loses a deadlock to another (two jobs bumping each other's dependents) is rolled
 * back whole and run again.
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
  const lookups = options.lookups ?? new LookupCache(undefined, limits.cacheBytes)
  const cached = pgCachedReads(client, tenant, lookups, lookupScope(tenant, options.generation))
  // One journal appender, one queue of writes and one set of touched ids per transaction: a batch's jobs continue one chain.
  const batches = new PgWriteBatches(client, (jobs, direct) => ({ beforeCommit: [], jobs, direct, job: 0 }))
  const job =
    <T>(fn: (tx: WriteTx) => Effect<T>) =>
    async (tx: SQL, shared: BatchState & Partial<PgBatch>): Promise<T> => {
      if (!shared.appends) {
        const queue = new PgWriteQueue(tx, shared)
        const { generation } = options
        // The generation check takes the tenant's lock first, before any job's statement.
        const same = generation === undefined ? undefined : sameGeneration(tx, tenant, generation)
        const appends = new PgJournalAppends(tx, tenant, queue, shared.jobs)
        const batch: PgBatch = { appends, queue, touched: { ids: new Set() } }
        Object.assign(shared, batch)
        if (same !== undefined) {
          // Awaited before COMMIT; a batch rolled back before then never asks.
          same.catch(() => {})
          shared.beforeCommit.push(async () => {
            if (!(await same)) throw tenantGone()
          })
        }
        shared.beforeCommit.push(() => queue.flush(true, batch.touched.ids.size > 0 ? tenant : undefined))
        if (options.publish)
          shared.beforeCommit.push(async () => {
            if (batch.touched.ids.size > 0) await publishInvalidation(tx, { tenant, ids: [...batch.touched.ids] })
          })
      }
      const { appends, queue, touched } = shared as PgBatch
      const value = await run(fn(createPgWriteTx(tx, reads, tenant, limits, journaling, touched, appends, queue)))
      if (queue.direct) await queue.flush()
      return value
    }

  let readiness: { problem: string | undefined; at: number } | undefined
  let checking: Promise<string | undefined> | undefined

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
    get: (type, id) => read(cached.byId(type.name, id)),
    findByName: (type, name) => read(cached.byName(type.name, name)),
    findByExternalId: (type, externalId) => read(cached.byExternalId(type.name, externalId)),
    query: (type, q) => read(pgListQuery(client, tenant, type, q)),
    recentlyModified: (type, limit) => read(reads.recentlyModified(client, type.name, limit)),
    modifiedSince: (type, since) => read(reads.modifiedSince(client, type.name, since)),
    members: (groupId) => read(reads.members(client, groupId)),
    memberPage: (groupId, limit) => read(reads.memberPage(client, groupId, limit)),
    *groupsOf(user) {
      return user.groupsRead ?? (yield* read(reads.groupsOf(client, user.id)))
    },
    async write(fn) {
      try {
        return await batches.run(job(fn))
      } catch (err) {
        throw translatePgStorageError(err)
      }
    },
    stats: () => ({ lookupHits: lookups.hits, lookupMisses: lookups.misses, ...batches.stats }),
    checkReadiness: check,
    readinessProblem() {
      // The probe cannot wait for the database: it answers the last check and starts the next.
      if (!readiness || performance.now() - readiness.at > READINESS_MAX_AGE_MS) void check()
      return readiness ? readiness.problem : 'the database has not been checked yet'
    },
    close: () => void client.close(),
  }
}
