// Builds the npm package into dist/: index.js (bundled, dependencies left external) and the .d.ts
// files reachable from index.d.ts, with relative specifiers ending in .js so NodeNext resolves them.
// Usage: bun run scripts/build-lib.ts
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import pkg from '../package.json'

const root = resolve(import.meta.dir, '..')
const dist = join(root, 'dist')
const staging = join(root, '.dist-types')

/**
 * Bare modules the public declarations may import. None: a consumer checking with
 * `skipLibCheck: false` would also check those packages' declarations, and Elysia's and
 * Drizzle's fail under `exactOptionalPropertyTypes` (176 errors measured).
 */
const ALLOWED_BARE: readonly string[] = []

function fail(message: string): never {
  console.error(`build-lib: ${message}`)
  rmSync(staging, { recursive: true, force: true })
  process.exit(1)
}

function run(cmd: string[]): void {
  const done = Bun.spawnSync(cmd, { cwd: root, stdio: ['inherit', 'inherit', 'inherit'] })
  if (done.exitCode !== 0) fail(`${cmd.join(' ')} exited with ${done.exitCode}`)
}

async function buildJs(): Promise<void> {
  const out = await Bun.build({
    entrypoints: [join(root, 'src/index.ts')],
    outdir: dist,
    target: 'bun',
    format: 'esm',
    packages: 'external',
    define: { SCIM_SERVER_VERSION: JSON.stringify(pkg.version) },
  })
  if (!out.success) fail(out.logs.map(String).join('\n'))
}

/** Emits declarations for the whole program with the repo's own compiler settings. */
function emitDeclarations(): void {
  rmSync(staging, { recursive: true, force: true })
  mkdirSync(staging, { recursive: true })
  const config = {
    extends: '../tsconfig.json',
    compilerOptions: { noEmit: false, declaration: true, emitDeclarationOnly: true, outDir: '.', rootDir: '../src' },
    include: [],
    files: ['../src/index.ts'],
  }
  writeFileSync(join(staging, 'tsconfig.json'), JSON.stringify(config))
  run([join(root, 'node_modules/.bin/tsc'), '-p', join(staging, 'tsconfig.json')])
}

const SPECIFIER = /(\bfrom\s+|\bimport\s*\(\s*|^\s*import\s+)(['"])([^'"]+)\2/gm

/** The file's text with `./x` written as `./x.js` or `./x/index.js`; bare specifiers collected. */
function rewrite(file: string, text: string, bare: Set<string>): { text: string; deps: string[] } {
  const deps: string[] = []
  const out = text.replace(SPECIFIER, (whole, lead: string, quote: string, spec: string) => {
    if (!spec.startsWith('.')) {
      bare.add(spec)
      return whole
    }
    const base = resolve(dirname(file), spec.replace(/\.js$/, ''))
    const target = existsSync(`${base}.d.ts`) ? `${base}.d.ts` : join(base, 'index.d.ts')
    if (!existsSync(target)) fail(`${relative(staging, file)} imports ${spec}, which has no declaration`)
    deps.push(target)
    const js = relative(dirname(file), target).replace(/\.d\.ts$/, '.js')
    return `${lead}${quote}${js.startsWith('.') ? js : `./${js}`}${quote}`
  })
  return { text: out, deps }
}

/** Copies index.d.ts and everything it imports (transitively) from staging into dist/. */
function copyReachable(): number {
  const bare = new Set<string>()
  const seen = new Set<string>()
  const queue = [join(staging, 'index.d.ts')]
  while (queue.length > 0) {
    const file = queue.pop()!
    if (seen.has(file)) continue
    seen.add(file)
    const { text, deps } = rewrite(file, readFileSync(file, 'utf8'), bare)
    const target = join(dist, relative(staging, file))
    mkdirSync(dirname(target), { recursive: true })
    writeFileSync(target, text)
    queue.push(...deps)
  }
  const unexpected = [...bare].filter((b) => !ALLOWED_BARE.includes(b))
  if (unexpected.length > 0)
    fail(`the public declarations import ${unexpected.join(', ')}; keep such types out of src/index.ts's reach`)
  return seen.size
}

rmSync(dist, { recursive: true, force: true })
await buildJs()
emitDeclarations()
const count = copyReachable()
rmSync(staging, { recursive: true, force: true })
// On stderr: `npm pack --json` runs this as prepack, and its stdout must stay JSON.
console.error(`build-lib: dist/index.js and ${count} declaration files`)
