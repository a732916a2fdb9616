// `import FILE` given an empty device or something it cannot read: the normal summary, or one line of error.
import { describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { CommandError } from '../../src/cli/backup'
import { importCommand } from '../../src/cli/transfer'
import { makeTestApp } from '../helpers/app'

describe('cli/transfer import input', () => {
  test('/dev/null imports nothing and reports the normal summary', async () => {
    const app = makeTestApp()
    const { summary, failed } = await importCommand(app.server, '/dev/null', () => {})
    expect(failed).toBe(0)
    expect(summary).toStartWith('imported /dev/null: 0 created, 0 updated, 0 unchanged, 0 failed, in ')
  })

  test('a directory is refused with a CommandError naming it', async () => {
    const app = makeTestApp()
    const dir = mkdtempSync(`${tmpdir()}/import-`)
    try {
      const refused = importCommand(app.server, dir, () => {})
      await expect(refused).rejects.toBeInstanceOf(CommandError)
      await expect(refused).rejects.toThrow(`cannot read ${dir}`)
    } finally {
      rmSync(dir, { recursive: true })
    }
  })
})
