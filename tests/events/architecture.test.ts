// src/events layering: protocol parts import no framework or database; storage stays in four files.
import { describe, expect, test } from 'bun:test'
import { Glob } from 'bun'

const root = new URL('../../src/events/', import.meta.url).pathname
const STORAGE = new Set(['key-store.ts', 'streams.ts', 'push-urls.ts', 'service.ts'])

async function imports(): Promise<{ file: string; specifier: string }[]> {
  const out = []
  for await (const file of new Glob('*.ts').scan(root)) {
    const text = await Bun.file(root + file).text()
    for (const m of text.matchAll(/^import\s+[^'"]*?from\s+['"]([^'"]+)['"]/gm)) out.push({ file, specifier: m[1]! })
  }
  return out
}

describe('events/architecture', () => {
  test('no file imports elysia, drizzle-orm, lru-cache, src/http or src/store', async () => {
    const bad = (await imports()).filter(({ specifier }) =>
      /^(elysia|@elysiajs\/|drizzle-orm|lru-cache)|\/(http|store)\//.test(specifier)
    )
    expect(bad).toEqual([])
  })

  test('only the storage files touch bun:sqlite; SET building, signing, poll and push do not', async () => {
    const users = (await imports()).filter(({ specifier }) => specifier.startsWith('bun:')).map(({ file }) => file)
    expect(users).toContain('streams.ts')
    expect(users.filter((file) => !STORAGE.has(file))).toEqual([])
  })
})
