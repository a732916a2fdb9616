// `import FILE` given an empty device or something it cannot read, and `export --out` a path it cannot write: the normal summary, or one line of error.
import { describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { CommandError } from '../../src/cli/backup'
import { exportCommand, importCommand } from '../../src/cli/transfer'
import type { LineFailure } from '../../src/service/import'
import { makeTestApp } from '../helpers/app'
import { readJson, URN_GROUP, URN_USER } from '../helpers/scim'

describe('cli/transfer import input', () => {
  test('/dev/null imports nothing and reports the normal summary', async () => {
    const app = makeTestApp()
    const { summary, failed } = await importCommand(app.server, '/dev/null', () => {})
    expect(failed).toBe(0)
    expect(summary).toStartWith('imported /dev/null: 0 created, 0 updated, 0 unchanged, 0 failed, in ')
  })

  test('a line that is not UTF-8 fails as invalidSyntax with its number; nothing is stored with U+FFFD', async () => {
    const app = makeTestApp()
    const dir = mkdtempSync(`${tmpdir()}/import-`)
    try {
      const file = `${dir}/latin1.jsonl`
      const user = (name: Buffer) =>
        Buffer.concat([Buffer.from(`{"schemas":["${URN_USER}"],"userName":"`), name, Buffer.from('"}\n')])
      writeFileSync(file, Buffer.concat([user(Buffer.from('ada')), user(Buffer.from([0x52, 0x65, 0x6e, 0xe9]))]))
      const failures: LineFailure[] = []
      const { failed } = await importCommand(app.server, file, (f) => failures.push(f))
      expect(failed).toBe(1)
      expect(failures.map((f) => [f.line, f.error.status, f.error.scimType])).toEqual([[2, 400, 'invalidSyntax']])
      const users = await readJson(await app.request('GET', '/scim/v2/Users'))
      expect(users.Resources.map((u: { userName: string }) => u.userName)).toEqual(['ada'])
    } finally {
      rmSync(dir, { recursive: true })
    }
  })

  // One such line stopped the import: the lines after it were never tried, and a group waiting for
  // a later line's user was neither imported nor reported.
  test('a line past 16 MiB fails as 413 with its number; the lines after it, and the retries, still import', async () => {
    const app = makeTestApp()
    const dir = mkdtempSync(`${tmpdir()}/import-`)
    try {
      const file = `${dir}/huge.jsonl`
      const later = '01a00000-0000-7000-8000-000000000001'
      const lines = [
        JSON.stringify({ schemas: [URN_GROUP], displayName: 'team', members: [{ value: later }] }),
        JSON.stringify({ schemas: [URN_USER], userName: 'a@ex.com' }),
        JSON.stringify({ schemas: [URN_USER], userName: 'huge', nickName: 'x'.repeat(17 * 1_048_576) }),
        JSON.stringify({ schemas: [URN_USER], id: later, userName: 'later@ex.com' }),
        JSON.stringify({ schemas: [URN_USER], userName: 'after@ex.com' }),
      ]
      writeFileSync(file, `${lines.join('\n')}\n`)
      const failures: LineFailure[] = []
      const { failed } = await importCommand(app.server, file, (f) => failures.push(f))
      expect(failures.map((f) => [f.line, f.error.status])).toEqual([[3, 413]])
      expect(failed).toBe(1)
      const users = await readJson(await app.request('GET', '/scim/v2/Users'))
      expect(users.Resources.map((u: { userName: string }) => u.userName).sort()).toEqual([
        'a@ex.com',
        'after@ex.com',
        'later@ex.com',
      ])
      // The group waited for the later line's user, and then was imported with it as its member.
      const laterId = users.Resources.find((u: { userName: string }) => u.userName === 'later@ex.com').id
      const groups = await readJson(await app.request('GET', '/scim/v2/Groups'))
      expect(groups.Resources.map((g: { members: { value: string }[] }) => g.members.map((m) => m.value))).toEqual([
        [laterId],
      ])
    } finally {
      rmSync(dir, { recursive: true })
    }
  })

  test('a line nested deeper than --max-depth fails as invalidSyntax with its number; the other lines import', async () => {
    const app = makeTestApp()
    const dir = mkdtempSync(`${tmpdir()}/import-`)
    try {
      const file = `${dir}/deep.jsonl`
      const deep = `${'['.repeat(1100)}${']'.repeat(1100)}`
      writeFileSync(
        file,
        `{"schemas":["${URN_USER}"],"userName":"deep","x-vendor":${deep}}\n{"schemas":["${URN_USER}"],"userName":"ada"}\n`
      )
      const failures: LineFailure[] = []
      const { failed } = await importCommand(app.server, file, (f) => failures.push(f))
      expect(failed).toBe(1)
      expect(failures.map((f) => [f.line, f.error.status, f.error.scimType, f.error.detail])).toEqual([
        [1, 400, 'invalidSyntax', 'the line nests deeper than the limit of 64 levels (max-depth)'],
      ])
      const users = await readJson(await app.request('GET', '/scim/v2/Users'))
      expect(users.Resources.map((u: { userName: string }) => u.userName)).toEqual(['ada'])
    } finally {
      rmSync(dir, { recursive: true })
    }
  })

  test('export to a path that cannot be written is a CommandError naming it', async () => {
    const app = makeTestApp()
    const out = `${tmpdir()}/no-such-dir/out.jsonl`
    const refused = exportCommand(app.server, out)
    await expect(refused).rejects.toBeInstanceOf(CommandError)
    await expect(refused).rejects.toThrow(`cannot write ${out}`)
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
