// The npm package as a user gets it: `npm pack`, installed into a copy of tests/consumer, type-checked
// under the strictest settings (NodeNext and Bundler), and that project's own `bun test` run.
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { copyFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

const ROOT = resolve(import.meta.dir, '../..')
const TSC = join(ROOT, 'node_modules/.bin/tsc')
const STEP_TIMEOUT_MS = 120_000

interface PackedFile {
  path: string
}
interface PackResult {
  filename: string
  size: number
  files: PackedFile[]
}

let work = ''
let consumer = ''
let packed: PackResult

/** Runs `cmd` in `cwd`; a non-zero exit fails with everything the command printed. */
function run(cmd: string[], cwd: string): string {
  const done = Bun.spawnSync(cmd, { cwd, stdout: 'pipe', stderr: 'pipe' })
  const output = `${done.stdout.toString()}${done.stderr.toString()}`
  if (done.exitCode !== 0) throw new Error(`${cmd.join(' ')} exited with ${done.exitCode} in ${cwd}:\n${output}`)
  return done.stdout.toString()
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'scim-pack-'))
  // prepack runs scripts/build-lib.ts, so the tarball holds a fresh dist/.
  const [result] = JSON.parse(run(['npm', 'pack', '--json', '--pack-destination', work], ROOT)) as PackResult[]
  packed = result!
  consumer = join(work, 'consumer')
  cpSync(join(ROOT, 'tests/consumer'), consumer, { recursive: true })
  copyFileSync(join(work, packed.filename), join(consumer, 'scim-server.tgz'))
  // Resolved from bun's cache where it can be; only what is missing is fetched.
  run(['bun', 'install', '--prefer-offline'], consumer)
}, STEP_TIMEOUT_MS)

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true })
})

test('the tarball holds dist/, package.json and README only, under 1 MB', () => {
  expect(packed.size).toBeLessThan(1_000_000)
  const paths = packed.files.map((f) => f.path)
  expect(paths).toContain('dist/index.js')
  expect(paths).toContain('dist/index.d.ts')
  for (const path of paths) expect(path).toMatch(/^(dist\/.+\.(js|d\.ts)|package\.json|README\.md)$/)
})

test.each(['nodenext', 'bundler'])(
  'the consumer type-checks under %s resolution with every strict flag',
  (setting) => {
    expect(run([TSC, '--noEmit', '-p', `tsconfig.${setting}.json`], consumer)).toBe('')
  },
  STEP_TIMEOUT_MS
)

test(
  "the consumer's bun test starts a server and round-trips a user over HTTP",
  () => {
    const out = run(['bun', 'test', './roundtrip.check.ts'], consumer)
    expect(out).not.toContain('(fail)')
  },
  STEP_TIMEOUT_MS
)
