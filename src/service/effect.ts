// Store calls as effects: generators that return at once (SQLite) or yield promises (PostgreSQL), and their drivers.

/**
 * A computation over a store. A synchronous store's effects never yield, so driving one costs a
 * generator step and no promise; an asynchronous store's effects yield each promise they wait
 * for and are resumed with its value (or its error, thrown back in). Services `yield*` every
 * store call, so one service code serves both kinds of store.
 */
export type Effect<T> = Generator<Promise<unknown>, T, unknown>

/** Waits for `promise` inside an effect: yields it, and the driver resumes with its value. */
export function* awaited<T>(promise: Promise<T>): Effect<T> {
  // The driver resumes a yield with exactly the value of the promise yielded.
  return (yield promise) as T
}

/**
 * Drives an effect that must not wait: a synchronous store's write job, which runs inside a
 * transaction that nothing else may touch until the job ends. An effect that yields anyway is
 * stopped (its finally blocks run) and an Error is thrown.
 */
export function runSync<T>(effect: Effect<T>): T {
  const step = effect.next()
  if (step.done) return step.value
  // Nobody will wait for it: its rejection must not surface as an unhandled one.
  step.value.catch(() => {})
  effect.return(undefined as T)
  throw new Error('an effect waited for a promise, but its store is synchronous and cannot wait')
}

/**
 * Drives an effect to its end: synchronously until its first yield (so a synchronous store's
 * effect gives its value at once), then awaiting each yielded promise and resuming the effect
 * with its value, or throwing its error into the effect so that try/catch around a store call
 * works as it reads.
 */
export function run<T>(effect: Effect<T>): T | Promise<T> {
  const step = effect.next()
  return step.done ? step.value : drive(effect, step.value)
}

async function drive<T>(effect: Effect<T>, waiting: Promise<unknown>): Promise<T> {
  for (;;) {
    let value: unknown
    let failed = false
    try {
      value = await waiting
    } catch (error) {
      failed = true
      value = error
    }
    // Outside the try: an error the effect throws (or rethrows) ends it, and rejects this promise.
    const step = failed ? effect.throw(value) : effect.next(value)
    if (step.done) return step.value
    waiting = step.value
  }
}
