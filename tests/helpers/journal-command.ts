// Runs `scim-server journal ...` in process, capturing what it prints (both stores' command tests use it).
import { spyOn } from 'bun:test'
import { journalCommand } from '../../src/cli/journal-command'

export async function journal(...argv: string[]): Promise<{ code: number; output: string }> {
  const out: string[] = []
  const log = spyOn(console, 'log').mockImplementation((line: string) => void out.push(line))
  const error = spyOn(console, 'error').mockImplementation((line: string) => void out.push(line))
  try {
    return { code: await journalCommand(argv, {}), output: out.join('\n') }
  } finally {
    log.mockRestore()
    error.mockRestore()
  }
}

/**
 * A `--since` time after every entry written so far: entries keep milliseconds and `--since` is
 * inclusive, so a write in the same millisecond as a bare `new Date()` would fall on the wrong side.
 */
export async function sinceAfterWritesSoFar(): Promise<string> {
  await Bun.sleep(2)
  return new Date().toISOString()
}
