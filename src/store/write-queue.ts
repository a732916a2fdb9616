// Group commit: writes that arrive in the same event-loop turn share one transaction and one sync.
import type { Database, Statement } from 'bun:sqlite'
import { statfsSync } from 'node:fs'
import { dirname } from 'node:path'
import { ScimError } from '../scim/errors'
import { isBusy, storeClosed, translateStorageError } from './errors'

/** How long a failed write keeps /readyz at 503: long enough for a balancer to notice, short enough to retry. */
const STORAGE_FAILURE_MEMORY_MS = 10_000
/** Space freed beyond what was free when a write found the disk full, after which writes are tried again. */
const ROOM_AGAIN_BYTES = 1_048_576

/** Bytes available to this process on the file system holding `file`; undefined for a database in memory. */
function freeBytesBeside(file: string): number | undefined {
  if (file === '' || file === ':memory:') return undefined
  try {
    const fs = statfsSync(dirname(file))
    return fs.bavail * fs.bsize
  } catch {
    return undefined
  }
}

/**
 * How often writes waiting for another process's write lock try again: short against the admin
 * commands' transactions (a batch of an import), so the writes go in soon after the lock is free.
 */
const LOCK_RETRY_MS = 10
/**
 * Writes that may wait for another process's lock at once; later ones fail at once, as they would
 * after the wait. A flush each turn bounds the queue otherwise, but a wait of seconds would hold
 * every write that arrives in it, each with its document (up to --max-document-bytes).
 */
const MAX_WAITING_JOBS = 256
/** Told about each committed batch: how many jobs it held, and BEGIN to COMMIT in seconds (metrics). */
export type CommitObserver = (jobs: number, seconds: number) => void

/** Per database handle, so servers embedded side by side (test suites) never see each other's commits. */
const observers = new WeakMap<Database, CommitObserver>()

export function observeCommits(db: Database, observer: CommitObserver): void {
  observers.set(db, observer)
}

/** Told where a batch's transaction begins and ends, and when a job of it was rolled back. */
export interface BatchObserver {
  /** BEGIN succeeded: the batch's jobs run next, in one transaction. */
  batchStarted(): void
  /** A job of the batch is about to run. */
  jobStarted(): void
  /** A job threw: its writes were rolled back to its savepoint; the batch goes on. */
  jobRolledBack(): void
  /** Every job ran; the last writes of the batch go in now, before COMMIT (throwing fails the batch). */
  beforeCommit(): void
  /** After COMMIT (true), or after the whole batch was rolled back (false). */
  batchEnded(committed: boolean): void
}

interface Job {
  fn: () => unknown
  resolve: (value: unknown) => void
  reject: (error: unknown) => void
}

/**
 * With synchronous=FULL every COMMIT waits for the disk. Requests that arrive while one batch
 * syncs are queued and committed together by the next batch, so the sync cost is shared while
 * each request still gets its own result: each job runs under its own SAVEPOINT, and a job that
 * throws rolls back only its own changes. A promise settles only after its batch is durable.
 */
export class WriteQueue {
  private pending: Job[] = []
  private scheduled = false
  /** While another process holds the write lock: the retry's timer, and the SQLITE_BUSY error it found. */
  private lockWait: { timer: ReturnType<typeof setTimeout>; busy: unknown } | undefined
  /** When the writes waiting for the lock first found it taken. */
  private busySince: number | undefined
  private readonly busyTimeout: Statement<{ timeout: number }, []>
  /** The transaction statements, prepared once: db.run() compiled each again, ~0.4 µs a job. */
  private readonly tx: Record<'begin' | 'commit' | 'rollback' | 'savepoint' | 'release' | 'rollbackTo', Statement>
  private readonly setBusyTimeout = new Map<number, Statement>()
  batches = 0
  jobs = 0
  private closed = false
  /** The last write the database refused (disk full, read-only), until a commit succeeds again. */
  private storageFailure: { at: number; reason: string; free?: number } | undefined
  /** Told where each batch and failed job begins and ends (the journal's chain head lives in them). */
  private readonly batchObservers = new Set<BatchObserver>()

  constructor(
    private readonly db: Database,
    private readonly now: () => number = () => performance.now(),
    private readonly maxWaitingJobs = MAX_WAITING_JOBS,
    /** Bytes free on the database's file system (undefined: not a file, or unknown). */
    private readonly freeBytes: () => number | undefined = () => freeBytesBeside(db.filename)
  ) {
    this.busyTimeout = db.query('PRAGMA busy_timeout')
    this.tx = {
      begin: db.prepare('BEGIN IMMEDIATE'),
      commit: db.prepare('COMMIT'),
      rollback: db.prepare('ROLLBACK'),
      savepoint: db.prepare('SAVEPOINT job'),
      release: db.prepare('RELEASE job'),
      rollbackTo: db.prepare('ROLLBACK TO job'),
    }
  }

  /** The connection's busy_timeout in ms, as it is set now (a test shortens it). */
  private busyTimeoutMs(): number {
    return this.busyTimeout.get()?.timeout ?? 0
  }

  /** Sets the connection's busy_timeout; statements per value, prepared once. */
  private useBusyTimeout(ms: number): void {
    let statement = this.setBusyTimeout.get(ms)
    if (!statement) {
      statement = this.db.prepare(`PRAGMA busy_timeout = ${Math.floor(ms)}`)
      this.setBusyTimeout.set(ms, statement)
    }
    statement.run()
  }

  /**
   * Why writes fail now, while the last refusal is recent and no commit has succeeded since. A
   * readiness probe cannot find out by writing: a small write still fits on a full disk when a
   * real one does not.
   */
  storageProblem(): string | undefined {
    const failure = this.storageFailure
    if (!failure) return undefined
    // A full disk stays full until room is made: with no write to fail again, the probe's small
    // write still fit now and then, and /readyz said ready between failures.
    const stillFull = failure.free !== undefined && (this.freeBytes() ?? Infinity) < failure.free + ROOM_AGAIN_BYTES
    if (!stillFull && this.now() - failure.at > STORAGE_FAILURE_MEMORY_MS) return undefined
    return `writes are failing: ${failure.reason}`
  }

  private refused(error: unknown): unknown {
    const translated = translateStorageError(error)
    if (translated instanceof ScimError && translated.status === 503) {
      const full = String((error as { code?: unknown } | null)?.code ?? '').startsWith('SQLITE_FULL')
      this.storageFailure = {
        at: this.now(),
        reason: String(translated.cause),
        free: full ? this.freeBytes() : undefined,
      }
    }
    return translated
  }

  /** Adds `observer` (once, however often it is added) to those told about each batch. */
  observeBatches(observer: BatchObserver): void {
    this.batchObservers.add(observer)
  }

  private ended(committed: boolean): void {
    for (const o of this.batchObservers) o.batchEnded(committed)
  }

  run<T>(fn: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.closed) {
        reject(storeClosed())
        return
      }
      if (this.lockWait && this.pending.length >= this.maxWaitingJobs) {
        reject(this.refused(this.lockWait.busy))
        return
      }
      // Every failure leaves through here, so a full or read-only database is always the same 503.
      this.pending.push({
        fn,
        resolve: resolve as (v: unknown) => void,
        reject: (error) => reject(this.refused(error)),
      })
      // While the queue waits for another process's lock, its retry takes these writes along.
      if (!this.scheduled && !this.lockWait) {
        this.scheduled = true
        setImmediate(() => this.flushWithoutWaiting())
      }
    })
  }

  /**
   * The scheduled flush: takes the write lock without waiting in SQLite's busy handler, which
   * sleeps the thread, and with it every request, for up to busy_timeout while another process
   * (an import, a restore) holds the lock. When the lock is taken, the writes are retried on a
   * timer instead, until busy_timeout has passed since the first try; then they fail as a
   * waiting BEGIN would have (SQLITE_BUSY, a 503).
   */
  private flushWithoutWaiting(): void {
    this.scheduled = false
    this.lockWait = undefined
    if (this.pending.length === 0) return
    if (this.closed) {
      this.fail(this.takePending(), storeClosed())
      return
    }
    const timeoutMs = this.busyTimeoutMs()
    let busy: unknown
    this.useBusyTimeout(0)
    try {
      this.tx.begin.run()
    } catch (error) {
      if (!isBusy(error)) {
        this.fail(this.takePending(), error)
        return
      }
      busy = error
    } finally {
      this.useBusyTimeout(timeoutMs)
    }
    if (busy === undefined) {
      this.commit(this.takePending())
      return
    }
    const now = this.now()
    this.busySince ??= now
    if (now - this.busySince >= timeoutMs) {
      this.busySince = undefined
      this.fail(this.takePending(), busy)
      return
    }
    this.lockWait = { timer: setTimeout(() => this.flushWithoutWaiting(), LOCK_RETRY_MS), busy }
  }

  /** One job under its own savepoint; throws only when the whole transaction is gone. */
  private runJob(job: Job): { ok: boolean; value: unknown } {
    this.tx.savepoint.run()
    for (const o of this.batchObservers) o.jobStarted()
    try {
      const value = job.fn()
      this.tx.release.run()
      return { ok: true, value }
    } catch (error) {
      if (!this.db.inTransaction) throw error
      this.tx.rollbackTo.run()
      this.tx.release.run()
      for (const o of this.batchObservers) o.jobRolledBack()
      return { ok: false, value: error }
    }
  }

  /** Commits everything queued so far, waiting for the write lock as long as busy_timeout says (shutdown). */
  flush(): void {
    this.scheduled = false
    if (this.lockWait) clearTimeout(this.lockWait.timer)
    this.lockWait = undefined
    const batch = this.takePending()
    if (batch.length === 0) return
    try {
      this.tx.begin.run()
    } catch (error) {
      this.fail(batch, error)
      return
    }
    this.commit(batch)
  }

  /**
   * Commits what is queued and refuses every later write with a 503: a job sent after the
   * database closed (a seed still running when an embedded server stopped) was scheduled to
   * flush on a closed connection, threw outside any promise and never settled.
   */
  close(): void {
    this.flush()
    this.closed = true
  }

  private takePending(): Job[] {
    const batch = this.pending
    this.pending = []
    this.busySince = undefined
    return batch
  }

  private fail(batch: Job[], error: unknown): void {
    for (const job of batch) job.reject(error)
  }

  /** Runs `batch` in the transaction just begun, one savepoint per job, and commits it. */
  private commit(batch: Job[]): void {
    this.batches++
    this.jobs += batch.length
    const results: { ok: boolean; value: unknown }[] = []
    const started = performance.now()
    for (const o of this.batchObservers) o.batchStarted()
    try {
      for (const job of batch) results.push(this.runJob(job))
      for (const o of this.batchObservers) o.beforeCommit()
      this.tx.commit.run()
      this.storageFailure = undefined
    } catch (error) {
      // Disk full, I/O error, out of memory: SQLite may already have rolled the whole batch back
      // (it does on SQLITE_FULL). Every request of the batch fails, none half-applied, and none
      // was acknowledged yet; the server itself carries on.
      try {
        if (this.db.inTransaction) this.tx.rollback.run()
      } catch {
        // The rollback failing too leaves nothing to undo here; the jobs still get their answer.
      }
      this.ended(false)
      this.fail(batch, error)
      return
    }
    this.ended(true)
    observers.get(this.db)?.(batch.length, (performance.now() - started) / 1000)
    batch.forEach((job, i) => {
      const r = results[i]!
      if (r.ok) job.resolve(r.value)
      else job.reject(r.value)
    })
  }
}
