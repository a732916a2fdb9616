// Measures startScimServer: start-up per server, reset(), and a generated 200-test suite run with
// bun test where every test starts its own server (against one shared server with reset()).
// Usage: bun run scripts/bench-embed.ts [--starts N] [--tests N] [--runs N]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { startScimServer } from '../src/index'

function arg(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`)
  return at > 0 ? Number(process.argv[at + 1]) : fallback
}

const starts = arg('starts', 200)
const tests = arg('tests', 200)
const runs = arg('runs', 3)
const entry = resolve(import.meta.dir, '../src/index.ts')

function summary(ms: number[]): string {
  const s = [...ms].sort((a, b) => a - b)
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!.toFixed(2)
  return `median ${at(0.5)} ms, p90 ${at(0.9)} ms, max ${s[s.length - 1]!.toFixed(2)} ms (n=${s.length})`
}

async function timeStarts(): Promise<void> {
  const start: number[] = []
  const firstAnswer: number[] = []
  const reset: number[] = []
  for (let i = 0; i < starts; i++) {
    const t0 = performance.now()
    const server = await startScimServer()
    const t1 = performance.now()
    await fetch(`${server.url}/Users`, { headers: { authorization: `Bearer ${server.token}` } })
    const t2 = performance.now()
    await server.reset()
    reset.push(performance.now() - t2)
    await server.stop()
    start.push(t1 - t0)
    firstAnswer.push(t2 - t0)
  }
  console.log(`startScimServer():            ${summary(start)}`)
  console.log(`start + first GET /Users:     ${summary(firstAnswer)}`)
  console.log(`reset():                      ${summary(reset)}`)
}

/** A test body that creates a user over HTTP and reads it back, as a consumer's test would. */
const BODY = `
    const h = { authorization: 'Bearer ' + s.token, 'content-type': 'application/scim+json' }
    const c = await fetch(s.url + '/Users', { method: 'POST', headers: h, body: JSON.stringify({ userName: 'u' }) })
    const { id } = await c.json()
    expect((await fetch(s.url + '/Users/' + id, { headers: h })).status).toBe(200)`

/** The same suite with every test starting its own server, or sharing one reset before each test. */
function suite(ownServer: boolean): string {
  const head = `import { afterAll, beforeEach, expect, test } from 'bun:test'\nimport { startScimServer } from '${entry}'\n`
  const shared = `const s = await startScimServer()\nbeforeEach(() => s.reset())\nafterAll(() => s.stop())\n`
  const one = (i: number) =>
    ownServer
      ? `test('t${i}', async () => {\n    await using s = await startScimServer()${BODY}\n})\n`
      : `test('t${i}', async () => {${BODY}\n})\n`
  return head + (ownServer ? '' : shared) + Array.from({ length: tests }, (_, i) => one(i)).join('')
}

function timeSuite(dir: string, name: string, source: string): number[] {
  const file = join(dir, `${name}.test.ts`)
  writeFileSync(file, source)
  const walls: number[] = []
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now()
    const done = Bun.spawnSync(['bun', 'test', file], { cwd: dir, stdout: 'pipe', stderr: 'pipe' })
    walls.push(performance.now() - t0)
    const out = done.stderr.toString()
    if (done.exitCode !== 0 || !out.includes(` ${tests} pass`)) throw new Error(`${name} suite failed:\n${out}`)
  }
  return walls
}

await timeStarts()
const dir = mkdtempSync(join(tmpdir(), 'scim-bench-embed-'))
try {
  // What bun test itself costs for as many empty tests importing the package: the floor.
  const empty =
    `import { test } from 'bun:test'\nimport '${entry}'\n` +
    Array.from({ length: tests }, (_, i) => `test('t${i}', () => {})\n`).join('')
  const floor = timeSuite(dir, 'empty', empty)
  const own = timeSuite(dir, 'own-server', suite(true))
  const shared = timeSuite(dir, 'shared-server', suite(false))
  console.log(`${tests} empty tests (wall):                ${summary(floor)}`)
  console.log(`${tests} tests, own server each (wall):     ${summary(own)}`)
  console.log(`${tests} tests, one server + reset (wall):  ${summary(shared)}`)
} finally {
  rmSync(dir, { recursive: true, force: true })
}
