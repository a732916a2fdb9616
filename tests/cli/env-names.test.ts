// Every SCIM_* environment variable the README or the console names is one the code reads.
import { expect, test } from 'bun:test'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

const root = join(import.meta.dir, '../..')

function files(dir: string): string[] {
  return readdirSync(join(root, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.(ts|sh)$/.test(e.name))
    .map((e) => join(e.parentPath, e.name))
}

const named = (text: string) => new Set(text.match(/\bSCIM_[A-Z0-9_]*[A-Z0-9]\b/g) ?? [])

test('the README and the console pages name only environment variables the code reads', () => {
  const read = new Set<string>()
  for (const file of [...files('src'), ...files('scripts'), ...files('tests/helpers'), join(root, '.ci/run')]) {
    const text = readFileSync(file, 'utf8')
    for (const m of text.matchAll(/env: '(SCIM_[A-Z0-9_]+)'|process\.env\.(SCIM_[A-Z0-9_]+)|\$\{?(SCIM_[A-Z0-9_]+)/g))
      read.add((m[1] ?? m[2] ?? m[3])!)
  }
  const readme = readFileSync(join(root, 'README.md'), 'utf8')
  // The README's example apps read their own (process.env.SCIM_READ_TOKEN).
  for (const m of readme.matchAll(/process\.env\.(SCIM_[A-Z0-9_]+)/g)) read.add(m[1]!)
  const mentions = [...named(readme), ...files('src/console').flatMap((f) => [...named(readFileSync(f, 'utf8'))])]
  expect([...new Set(mentions)].filter((name) => !read.has(name)).sort()).toEqual([])
})
