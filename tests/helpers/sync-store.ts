// The SQLite store with its effects run at once (runSync): plain calls, for tests that read and write synchronously.
import type { ResourceStore, WriteTx } from '../../src/service/context'
import { type Effect, runSync } from '../../src/service/effect'

/** Each method of `T` that answers an Effect, answering its value instead. */
type Synced<T> = {
  [K in keyof T]: T[K] extends (...args: infer A) => Effect<infer R> ? (...args: A) => R : T[K]
}

export type SyncTx = Synced<WriteTx>
export type SyncStore = Omit<Synced<ResourceStore>, 'write'> & {
  write<T>(fn: (tx: SyncTx) => T): Promise<T>
}

function isEffect(value: unknown): value is Effect<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as Effect<unknown>).next === 'function'
}

/** Every method of `target`; what answers an effect is run with runSync, which fails on one that yields. */
function synced<T extends object>(target: T): Synced<T> {
  const out: Record<string, unknown> = {}
  for (const [key, f] of Object.entries(target)) {
    out[key] =
      typeof f !== 'function'
        ? f
        : (...args: unknown[]) => {
            const value = f.apply(target, args)
            return isEffect(value) ? runSync(value) : value
          }
  }
  return out as Synced<T>
}

/** `store` (a synchronous one: SQLite) with plain methods; write jobs get a plain transaction too. */
export function syncStore(store: ResourceStore): SyncStore {
  return {
    ...synced(store),
    write: <T>(fn: (tx: SyncTx) => T) =>
      store.write(function* (tx) {
        return fn(synced(tx))
      }),
  }
}
