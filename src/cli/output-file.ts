// The file export and journal export write (--out): opened before anything is read, so a path that cannot be written is one line.
import { closeSync, openSync } from 'node:fs'
import type { FileSink } from 'bun'
import { CommandError } from './backup'

/**
 * A writer of `path`, created or emptied now. Bun's writer opens the file only at its first
 * write, so a missing directory or a read-only file surfaced there, mid-command, as a stack.
 */
export function outputWriter(path: string): FileSink {
  try {
    closeSync(openSync(path, 'w'))
  } catch (err) {
    throw new CommandError(`cannot write ${path}: ${(err as Error).message}`)
  }
  return Bun.file(path).writer()
}
