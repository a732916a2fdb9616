// The selftest is a client: it judges the server from outside, so it shares none of its code.
import { expect, test } from 'bun:test'
import { Glob } from 'bun'
import { dirname, relative, resolve } from 'node:path'
import { formatResult } from '../../src/selftest/report'

test('src/selftest imports only itself, plus the Config type from src/cli/args', async () => {
  const src = new URL('../../src/', import.meta.url).pathname
  const bad: string[] = []
  for await (const file of new Glob('selftest/**/*.ts').scan(src)) {
    const text = await Bun.file(src + file).text()
    for (const m of text.matchAll(/^import\s+(type\s+)?[^'"]*?from\s+['"]([^'"]+)['"]/gm)) {
      const [, typeOnly, specifier] = m
      const target = relative(src, resolve(src, dirname(file), specifier!))
      const allowed = target.startsWith('selftest/') || (typeOnly !== undefined && target === 'cli/args')
      if (!allowed) bad.push(`${file}: ${specifier}`)
    }
  }
  expect(bad).toEqual([])
})

test('the report keeps every check on one line', () => {
  expect(formatResult({ name: 'x', status: 'fail', reason: 'GET /Users answered 500 (boom\n  at line 2)' })).toBe(
    'FAIL  x — GET /Users answered 500 (boom at line 2)'
  )
})
