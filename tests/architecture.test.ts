// Layering rules (house style §3.2): a pure src/scim core, HTTP apart from storage.
import { describe, expect, test } from 'bun:test'
import { Glob } from 'bun'

const root = new URL('../src/', import.meta.url).pathname

async function importsOf(dir: string): Promise<{ file: string; specifier: string; typeOnly: boolean }[]> {
  const out = []
  for await (const file of new Glob(`${dir}/**/*.ts`).scan(root)) {
    const text = await Bun.file(root + file).text()
    for (const m of text.matchAll(/^import\s+(type\s+)?[^'"]*?from\s+['"]([^'"]+)['"]/gm)) {
      out.push({ file, specifier: m[2]!, typeOnly: Boolean(m[1]) })
    }
  }
  return out
}

describe('architecture', () => {
  test('src/scim is pure: no HTTP, storage, cache or runtime imports', async () => {
    const bad = (await importsOf('scim')).filter(
      ({ specifier }) =>
        /^(elysia|@elysiajs\/|drizzle-orm|bun:|bun$|lru-cache|node:)/.test(specifier) ||
        specifier.includes('/store/') ||
        specifier.includes('/http/') ||
        specifier.includes('/service/')
    )
    expect(bad).toEqual([])
  })

  test('src/http never imports src/store', async () => {
    const bad = (await importsOf('http')).filter(
      ({ specifier }) =>
        specifier.includes('/store/') || specifier.startsWith('drizzle-orm') || specifier === 'bun:sqlite'
    )
    expect(bad).toEqual([])
  })

  test('src/store imports from src/service only the types it implements', async () => {
    const bad = (await importsOf('store')).filter(
      ({ specifier, typeOnly }) => (specifier.includes('/service/') && !typeOnly) || specifier.includes('/http/')
    )
    expect(bad).toEqual([])
  })

  test('only main.ts reads process.argv or process.env', async () => {
    const readers = []
    for await (const file of new Glob('**/*.ts').scan(root)) {
      if (file === 'main.ts') continue
      if (/process\.(argv|env)/.test(await Bun.file(root + file).text())) readers.push(file)
    }
    expect(readers).toEqual([])
  })
})
