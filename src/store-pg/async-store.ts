// The asynchronous mirror of ResourceStore and WriteTx (a PostgreSQL store cannot answer synchronously), and an adapter over the SQLite store.
import { drainMicrotasks } from 'bun:jsc'
import type { ResourceStore, WriteTx } from '../service/context'

/** Every method of `T` with its own arguments, answering a Promise of its own result. */
type Promised<T> = {
  [K in keyof T]: T[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : never
}

/** WriteTx (src/service/context.ts), each method answering a Promise. */
export type AsyncWriteTx = Promised<WriteTx>

/** ResourceStore (src/service/context.ts), each method answering a Promise; a write job is async. */
export interface AsyncResourceStore extends Omit<Promised<ResourceStore>, 'write'> {
  /** Runs `fn` in one transaction: committed when its promise resolves, rolled back when it rejects. */
  write<T>(fn: (tx: AsyncWriteTx) => Promise<T>): Promise<T>
}

/**
 * Each method of `target`, answering a resolved (or rejected) Promise of what it returned (or
 * threw); once `open` says no, every call is refused.
 */
function promised<T extends object>(target: T, open: () => boolean = () => true): Promised<T> {
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(target) as (keyof T & string)[]) {
    const f = target[key]
    if (typeof f !== 'function') continue
    out[key] = (...args: unknown[]) => {
      if (!open()) return Promise.reject(new Error('the write job is over; its transaction cannot be used'))
      try {
        return Promise.resolve((f as (...a: unknown[]) => unknown).apply(target, args))
      } catch (err) {
        return Promise.reject(err)
      }
    }
  }
  return out as Promised<T>
}

/**
 * The SQLite store behind the asynchronous interface, so one contract test (and, later, one set
 * of services) serves both stores. SQLite runs a job synchronously inside its group-committed
 * transaction, so the async job is driven to its end right there: every AsyncWriteTx call
 * answers an already settled promise, and the microtask queue is drained until the job's promise
 * settles. A job that awaits anything else (a timer, I/O, a PostgreSQL query) cannot finish
 * inside the SQLite transaction; it fails, and its changes roll back with its savepoint.
 * Draining runs other pending microtasks too, in the middle of the transaction: acceptable for
 * tests and the wiring step, and the reason the SQLite store should grow a native async write.
 */
export function asyncOf(store: ResourceStore): AsyncResourceStore {
  const reads = promised(store)
  return {
    ...reads,
    write: <T>(fn: (tx: AsyncWriteTx) => Promise<T>) =>
      store.write((tx) => {
        // A job still running after its transaction ended must not write outside it.
        let open = true
        const job = fn(promised(tx, () => open))
        drainMicrotasks()
        open = false
        const status = Bun.peek.status(job)
        if (status === 'pending')
          throw new Error('a write job awaited something other than its transaction, which SQLite cannot wait for')
        const value = Bun.peek(job)
        if (status === 'rejected') {
          // Handled: the rejection is rethrown here, to the write queue.
          job.catch(() => {})
          throw value
        }
        return value as T
      }),
  }
}
