// What a test file sets up and must take down again: clean-ups run after each test, the last registered first.
import { afterEach } from 'bun:test'

/** A function that registers a clean-up for the running test; call it once, at a test file's top level. */
export function cleanupsAfterEach(): (cleanup: () => unknown) => void {
  const cleanups: (() => unknown)[] = []
  afterEach(async () => {
    // Last first: a service goes before the database and receiver it was set up over.
    for (const c of cleanups.splice(0).reverse()) await c()
  })
  return (cleanup) => void cleanups.push(cleanup)
}
