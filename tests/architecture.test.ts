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

  // The effect drivers (service/effect.ts) belong to the port: a store runs its jobs' effects with them.
  test('src/store and src/store-pg import from src/service only the types they implement and the effect drivers', async () => {
    const bad = [...(await importsOf('store')), ...(await importsOf('store-pg'))].filter(
      ({ specifier, typeOnly }) =>
        (specifier.includes('/service/') && !typeOnly && !specifier.endsWith('/service/effect')) ||
        specifier.includes('/http/')
    )
    expect(bad).toEqual([])
  })

  /**
   * A store call is an effect, which does nothing until it is driven: one called without `yield*`
   * (or run, or awaited) is a write or read silently skipped, which no type check catches.
   */
  test('every store and transaction call in the services and their callers is driven', async () => {
    const methods =
      'get|findByName|findByExternalId|query|recentlyModified|modifiedSince|members|memberPage|groupsOf|insert|update|applyMemberOps|delete|existing|journal'
    const call = new RegExp(`(^|[^.\\w])((?:deps\\.)?store|tx)\\.(${methods})\\(`, 'g')
    const undriven = []
    for (const dir of ['service', 'console', 'embed', 'cli', 'http']) {
      for await (const file of new Glob(`${dir}/**/*.ts`).scan(root)) {
        const text = await Bun.file(root + file).text()
        for (const m of text.matchAll(call)) {
          const before = text.slice(Math.max(0, m.index - 12), m.index + m[1]!.length)
          if (!/(yield\* |run\(|awaited\()\(?$/.test(before)) undriven.push(`${file}: ${m[0].trim()}`)
        }
      }
    }
    expect(undriven).toEqual([])
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
