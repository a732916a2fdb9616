// readLines over what `import FILE` may be given: files, character devices, FIFOs, directories.
import { afterEach, describe, expect, test } from 'bun:test'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CommandError } from '../../src/cli/backup'
import { readLines } from '../../src/cli/lines'

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lines-'))
  dirs.push(dir)
  return dir
}

async function texts(path: string, maxLineBytes = 1024): Promise<(string | undefined)[]> {
  const out: (string | undefined)[] = []
  for await (const { text } of readLines(path, maxLineBytes)) out.push(text)
  return out
}

async function failure(path: string, maxLineBytes = 1024): Promise<Error> {
  try {
    await texts(path, maxLineBytes)
  } catch (err) {
    return err as Error
  }
  throw new Error(`reading ${path} did not fail`)
}

describe('cli/lines', () => {
  test('a file gives its lines, CR before LF dropped, the last one without a newline too', async () => {
    const file = join(tempDir(), 'in.jsonl')
    writeFileSync(file, 'a\r\nb\n\nc')
    expect(await texts(file)).toEqual(['a', 'b', '', 'c'])
  })

  test('a line that is not UTF-8 reads as undefined, named by its number; the lines around it read', async () => {
    const file = join(tempDir(), 'latin1.jsonl')
    writeFileSync(file, Buffer.concat([Buffer.from('before\nRen'), Buffer.from([0xe9]), Buffer.from('\r\nafter')]))
    const lines: { line: number; text: string | undefined }[] = []
    for await (const { line, text } of readLines(file, 1024)) lines.push({ line, text })
    expect(lines).toEqual([
      { line: 1, text: 'before' },
      { line: 2, text: undefined },
      { line: 3, text: 'after' },
    ])
  })

  test('a line split across reads, with a character split across them, reads whole', async () => {
    const file = join(tempDir(), 'long.jsonl')
    // 'é' is two bytes: the 64 KiB read boundary falls between them.
    const long = `${'a'.repeat(64 * 1024 - 1)}é${'b'.repeat(70_000)}`
    writeFileSync(file, `${long}\nnext\n`)
    expect(await texts(file, 1024 * 1024)).toEqual([long, 'next'])
  })

  test('a line past the bound is yielded as too long, by its number, and the lines after it read', async () => {
    const file = join(tempDir(), 'long.jsonl')
    writeFileSync(file, `a\n${'x'.repeat(200_000)}\nb\n${'y'.repeat(5000)}`)
    const lines: { line: number; text: string | undefined; tooLong?: true }[] = []
    for await (const { line, text, tooLong } of readLines(file, 4096)) lines.push({ line, text, tooLong })
    expect(lines).toEqual([
      { line: 1, text: 'a', tooLong: undefined },
      { line: 2, text: undefined, tooLong: true },
      { line: 3, text: 'b', tooLong: undefined },
      { line: 4, text: undefined, tooLong: true },
    ])
  })

  test('a character device with nothing in it (/dev/null) gives no lines', async () => {
    expect(await texts('/dev/null')).toEqual([])
  })

  test('a FIFO gives what its writer wrote', async () => {
    const fifo = join(tempDir(), 'fifo')
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0)
    const writer = Bun.spawn(['sh', '-c', `printf 'x\\ny\\n' > '${fifo}'`])
    expect(await texts(fifo)).toEqual(['x', 'y'])
    expect(await writer.exited).toBe(0)
  })

  test('a directory, or a line without end (/dev/zero), is a CommandError of one line', async () => {
    const dir = await failure(tempDir())
    expect(dir).toBeInstanceOf(CommandError)
    expect(dir.message).toStartWith('cannot read ')
    expect(dir.message).not.toContain('\n')
    const endless = await failure('/dev/zero', 4096)
    expect(endless).toBeInstanceOf(CommandError)
    expect(endless.message).toBe('line 1 is longer than 4096 bytes')
  })
})
