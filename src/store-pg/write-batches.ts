// Group commit for the PostgreSQL store: write jobs that arrive while a transaction runs share the next one, and its lock and disk flush.
import type { SQL } from 'bun'
import { isRetryable } from './errors'

/** The most jobs one transaction carries: a batch holds the tenant's journal lock until it commits. */
const MAX_BATCH = 64

/** A deadlocked (or serialization-failed) transaction is run again this many times in all. */
const ATTEMPTS = 3

interface Job<T = unknown> {
  run(tx: SQL, shared: BatchState): Promise<T>
  resolve(value: T): void
  reject(error: unknown): void
}

/** What the jobs of one transaction share: set up before the first job, finished before COMMIT. */
export interface BatchState {
  /** Runs in the transaction after the last job, before COMMIT (the invalidation NOTIFY). */
  beforeCommit: (() => Promise<void>)[]
  /** How many jobs the transaction runs. */
  jobs: number
  /** Each job's writes go in statements of their own (after a statement of several jobs' failed). */
  direct: boolean
  /** The index of the job running now. */
  job: number
}

/**
 * A statement that carried writes held back from earlier statements failed (write-queue.ts):
 * `job` is the one job whose writes it carried, its error `cause`; without `job` it carried
 * several jobs' writes and which one made it fail is unknown, so the batch runs again with each
 * job's writes sent on their own.
 */
export class DeferredWriteFailed extends Error {
  constructor(
    override readonly cause: unknown,
    readonly job?: number
  ) {
    super('a statement of held back writes failed', { cause })
  }
}

export interface BatchStats {
  writeBatches: number
  writeJobs: number
}

/**
 * Every journaled write of a tenant holds the tenant's advisory lock from its journal append to
 * its COMMIT, so one transaction per write made the tenant's writes wait for each other's disk
 * flush: ~300 POSTs a second, whatever the concurrency. Here jobs that arrive while a transaction
 * runs queue, and the next transaction runs them all, one after another, and commits once: one
 * lock, one flush, for up to MAX_BATCH writes (the SQLite store's write queue does the same).
 * Nobody is answered before the COMMIT that holds their write.
 *
 * A job that fails takes the transaction with it (its statements may have run, or left the
 * transaction aborted), so the batch is rolled back whole: the failing job gets its error (the
 * one it meets running after the jobs before it, as in any serial order) and the others run again
 * without it. A batch that loses a deadlock is run again whole, ATTEMPTS times in all. Creates
 * and journal entries are held back and sent together (write-queue.ts); when such a statement of
 * several jobs' writes fails, the batch runs again `direct`, each job's writes sent as it ends.
 */
export class PgWriteBatches {
  private readonly pending: Job[] = []
  private running = false
  readonly stats: BatchStats = { writeBatches: 0, writeJobs: 0 }

  constructor(
    private readonly client: SQL,
    private readonly newState: (jobs: number, direct: boolean) => BatchState
  ) {}

  run<T>(job: (tx: SQL, shared: BatchState) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ run: job, resolve, reject } as Job)
      if (!this.running) void this.drain()
    })
  }

  private async drain(): Promise<void> {
    this.running = true
    try {
      while (this.pending.length > 0) await this.commit(this.pending.splice(0, MAX_BATCH))
    } finally {
      this.running = false
    }
  }

  private async commit(batch: Job[]): Promise<void> {
    this.stats.writeBatches++
    this.stats.writeJobs += batch.length
    let jobs = batch
    let direct = false
    for (let attempt = 1; jobs.length > 0; ) {
      const failed: { index: number; error?: unknown } = { index: -1 }
      try {
        const values = await this.transaction(jobs, failed, direct)
        for (const [i, job] of jobs.entries()) job.resolve(values[i])
        return
      } catch (err) {
        const deferred = failed.index >= 0 ? failed.error : err
        if (deferred instanceof DeferredWriteFailed) {
          if (deferred.job === undefined) {
            direct = true
            continue
          }
          failed.index = deferred.job
          failed.error = deferred.cause
        }
        const own = failed.index >= 0 ? failed.error : undefined
        if (failed.index >= 0 && !isRetryable(own)) {
          // Its failure is what running after the jobs before it gives: theirs run again without it.
          jobs[failed.index]!.reject(own)
          jobs = jobs.filter((_, i) => i !== failed.index)
          continue
        }
        if (attempt++ < ATTEMPTS && isRetryable(own ?? err)) continue
        for (const job of jobs) job.reject(own ?? err)
        return
      }
    }
  }

  private transaction(jobs: Job[], failed: { index: number; error?: unknown }, direct: boolean): Promise<unknown[]> {
    return this.client.begin(async (tx) => {
      const shared = this.newState(jobs.length, direct)
      const values: unknown[] = []
      for (const [index, job] of jobs.entries()) {
        shared.job = index
        try {
          values.push(await job.run(tx, shared))
        } catch (error) {
          failed.index = index
          failed.error = error
          throw error
        }
      }
      for (const step of shared.beforeCommit) await step()
      return values
    }) as Promise<unknown[]>
  }
}
