// `scim-server export | head -1`: the reader of standard output went away, so the command stops quietly.

/** Whether `err` is a write to a pipe whose reader closed it (EPIPE). */
export function isBrokenPipe(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'EPIPE'
}

/**
 * Ends the process with status 0 when standard output's reader goes away, as Unix tools stop
 * (`head` has what it wanted): the failed write surfaced as an unhandled error event, a stack
 * trace with pages of the bundle's source and status 1 after the output someone cut short.
 */
export function stopQuietlyOnBrokenPipe(): void {
  process.stdout.on('error', (err) => {
    if (!isBrokenPipe(err)) throw err
    process.exit(0)
  })
}
