// Reads a file as lines without holding all of it: JSON-lines input for import.
import { open } from 'node:fs/promises'
import { CommandError } from './backup'

/** How much one read asks for. */
const CHUNK_BYTES = 64 * 1024

/** `err` (from opening or reading `path`) as one line for the command's user. */
function unreadable(path: string, err: unknown): CommandError {
  return new CommandError(`cannot read ${path}: ${(err as Error).message}`)
}

/**
 * Yields each line with its 1-based number and the bytes read so far; CR before LF is dropped.
 * Plain reads, not Bun.file().stream(): that one registers character devices such as /dev/null
 * with epoll, which refuses them (EPERM), while a read works on any file, device or FIFO. What
 * cannot be read, and a line longer than `maxLineBytes`, is a CommandError of one line.
 */
export async function* readLines(
  path: string,
  maxLineBytes: number
): AsyncGenerator<{ line: number; text: string; bytesRead: number }> {
  const file = await open(path, 'r').catch((err: unknown) => {
    throw unreadable(path, err)
  })
  try {
    const decoder = new TextDecoder()
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES)
    let pending = ''
    let line = 0
    let bytesRead = 0
    for (;;) {
      const read = await file.read(buffer, 0, CHUNK_BYTES, null).catch((err: unknown) => {
        throw unreadable(path, err)
      })
      if (read.bytesRead === 0) break
      bytesRead += read.bytesRead
      // decode copies what it needs, so the buffer is free for the next read.
      pending += decoder.decode(buffer.subarray(0, read.bytesRead), { stream: true })
      let at: number
      while ((at = pending.indexOf('\n')) >= 0) {
        line++
        yield { line, text: pending.slice(0, at).replace(/\r$/, ''), bytesRead }
        pending = pending.slice(at + 1)
      }
      if (pending.length > maxLineBytes) throw new CommandError(`line ${line + 1} is longer than ${maxLineBytes} bytes`)
    }
    pending += decoder.decode()
    if (pending !== '') yield { line: line + 1, text: pending.replace(/\r$/, ''), bytesRead }
  } finally {
    await file.close()
  }
}
