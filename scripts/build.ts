// Compiles src/main.ts into one self-contained binary, ./scim-server (migrations and schemas embedded).
// Usage: bun run scripts/build.ts [--outfile PATH]
import pkg from '../package.json'

const root = new URL('..', import.meta.url).pathname
const at = process.argv.indexOf('--outfile')
const outfile = at > 0 ? process.argv[at + 1]! : `${root}scim-server`

// The embedded migrations must match drizzle/; a stale module would ship an old schema.
const check = Bun.spawnSync(['bun', 'run', `${root}scripts/embed-migrations.ts`, '--check'], {
  stdio: ['inherit', 'inherit', 'inherit'],
})
if (check.exitCode !== 0) process.exit(1)

const build = Bun.spawnSync(
  // The backup command's worker is a second entry point, so the binary carries it too.
  [
    'bun',
    'build',
    `${root}src/main.ts`,
    `${root}src/cli/vacuum-worker.ts`,
    '--compile',
    '--minify',
    '--define',
    `SCIM_SERVER_VERSION=${JSON.stringify(pkg.version)}`,
    '--outfile',
    outfile,
  ],
  { stdio: ['inherit', 'inherit', 'inherit'], cwd: root }
)
process.exit(build.exitCode ?? 1)
