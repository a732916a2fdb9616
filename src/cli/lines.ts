// Reads a file as lines without holding all of it: JSON-lines input for import.
import { open } from 'node:fs/promises'
import { CommandError } from './backup'

/** How much one read asks for. */
const CHUNK_BYTES = 64 * 1024

// Fatal: a line that is not UTF-8 is refused as a request body is (http/plugins/scim-json.ts),
// never imported with U+FFFD in place of its bytes.
const UTF8 = new TextDecoder('utf-8', { fatal: true })
const LF = 0x0a
const CR = 0x0d

/** `err` (from opening or reading `path`) as one line for the command's user. */
function unreadable(path: string, err: unknown): CommandError {
  return new CommandError(`cannot read ${path}: ${(err as Error).message}`)
}

/** One line's bytes (a trailing CR dropped) as text, or undefined when they are not UTF-8. */
function decoded(bytes: Uint8Array): string | undefined {
  const end = bytes.length > 0 && bytes[bytes.length - 1] === CR ? bytes.length - 1 : bytes.length
  try {
    return UTF8.decode(bytes.subarray(0, end))
  } catch {
    return undefined
  }
}

/** A line read from the file: its 1-based number, its text (undefined when not UTF-8 or too long), the bytes read so far. */
export interface ReadLine {
  line: number
  text: string | undefined
  bytesRead: number
  /** The line was longer than the bound: its bytes were skipped, not kept, and `text` is undefined. */
  tooLong?: true
}

/**
 * How far past the bound a line is skipped to find its end; past that the file is taken for one
 * without line ends (/dev/zero) and reading stops, rather than reading it for ever.
 */
const SKIP_FACTOR = 64

/**
 * Yields each line with its 1-based number and the bytes read so far; CR before LF is dropped.
 * Lines are split on bytes and each is decoded on its own, so a line that is not UTF-8 is named
 * by its number and the lines around it still read. A line longer than `maxLineBytes` is skipped
 * to its end without being kept and yielded as `tooLong`, so the lines after it still read (one
 * such line stopped the whole import, and dropped the lines waiting for a retry). Plain reads,
 * not Bun.file().stream(): that one registers character devices such as /dev/null with epoll,
 * which refuses them (EPERM), while a read works on any file, device or FIFO. What cannot be
 * read, and a line still without end `SKIP_FACTOR` times past the bound, is a CommandError of one line.
 */
export async function* readLines(path: string, maxLineBytes: number): AsyncGenerator<ReadLine> {
  const file = await open(path, 'r').catch((err: unknown) => {
    throw unreadable(path, err)
  })
  try {
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES)
    // The start of the line being read, copied out of `buffer`, which the next read reuses.
    let parts: Buffer[] = []
    let pendingBytes = 0
    // Bytes of a too-long line skipped so far; undefined while the line is being kept.
    let skipped: number | undefined
    let line = 0
    let bytesRead = 0
    for (;;) {
      const read = await file.read(buffer, 0, CHUNK_BYTES, null).catch((err: unknown) => {
        throw unreadable(path, err)
      })
      if (read.bytesRead === 0) break
      bytesRead += read.bytesRead
      const chunk = buffer.subarray(0, read.bytesRead)
      let start = 0
      for (let at = chunk.indexOf(LF); at >= 0; at = chunk.indexOf(LF, start)) {
        line++
        const tail = chunk.subarray(start, at)
        if (skipped !== undefined || pendingBytes + tail.length > maxLineBytes) {
          yield { line, text: undefined, bytesRead, tooLong: true }
        } else {
          yield { line, text: decoded(parts.length === 0 ? tail : Buffer.concat([...parts, tail])), bytesRead }
        }
        parts = []
        pendingBytes = 0
        skipped = undefined
        start = at + 1
      }
      const rest = chunk.length - start
      if (skipped !== undefined) skipped += rest
      else if (rest > 0) {
        parts.push(Buffer.from(chunk.subarray(start)))
        pendingBytes += rest
        if (pendingBytes > maxLineBytes) {
          skipped = pendingBytes
          parts = []
          pendingBytes = 0
        }
      }
      if (skipped !== undefined && skipped > maxLineBytes * SKIP_FACTOR)
        throw new CommandError(`line ${line + 1} is longer than ${maxLineBytes} bytes`)
    }
    if (skipped !== undefined) yield { line: line + 1, text: undefined, bytesRead, tooLong: true }
    else if (pendingBytes > 0) yield { line: line + 1, text: decoded(Buffer.concat(parts)), bytesRead }
  } finally {
    await file.close()
  }
}
