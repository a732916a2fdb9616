// Reads a file as lines without holding all of it: JSON-lines input for import.

/** Yields each line with its 1-based number and the bytes read so far; CR before LF is dropped. */
export async function* readLines(
  path: string,
  maxLineBytes: number
): AsyncGenerator<{ line: number; text: string; bytesRead: number }> {
  const decoder = new TextDecoder()
  let pending = ''
  let line = 0
  let bytesRead = 0
  for await (const chunk of Bun.file(path).stream()) {
    bytesRead += chunk.byteLength
    pending += decoder.decode(chunk, { stream: true })
    let at: number
    while ((at = pending.indexOf('\n')) >= 0) {
      line++
      yield { line, text: pending.slice(0, at).replace(/\r$/, ''), bytesRead }
      pending = pending.slice(at + 1)
    }
    if (pending.length > maxLineBytes) throw new Error(`line ${line + 1} is longer than ${maxLineBytes} bytes`)
  }
  pending += decoder.decode()
  if (pending !== '') yield { line: line + 1, text: pending.replace(/\r$/, ''), bytesRead }
}
