// The last word on a failure no command said itself: one line, never the bundle's source and stack.
import { DatabaseError, storageAsDatabaseError } from '../store/db'

/**
 * A full disk under `token` printed 3 KB of the bundle's source and minified frames: now one line,
 * a storage failure said plainly, and `debug` (SCIM_DEBUG=1) adds the stack for a bug report.
 */
export function reportFailure(err: unknown, debug: boolean): void {
  const said = storageAsDatabaseError(err)
  console.error(`scim-server: ${said instanceof Error ? said.message : String(said)}`)
  if (debug && err instanceof Error) console.error(err.stack)
  else if (!(said instanceof DatabaseError))
    console.error('scim-server: that was unexpected; SCIM_DEBUG=1 prints where it happened')
  process.exitCode = 1
}
