// Turns drizzle-kit's output in drizzle/ (SQLite) and drizzle/pg/ (PostgreSQL) into generated modules the binary embeds.
// Usage: bun run scripts/embed-migrations.ts [--check]   (--check exits 1 when a module is stale)
import { renderMigrationsModule } from './migrations-module'

/** Each migrations folder and the module made from it. */
const MODULES = [
  { source: 'drizzle/', target: 'src/store/migrations.gen.ts' },
  { source: 'drizzle/pg/', target: 'src/store-pg/migrations.gen.ts' },
]

const root = new URL('../', import.meta.url).pathname
let stale = false
for (const { source, target } of MODULES) {
  const fresh = await renderMigrationsModule(`${root}${source}`, source)
  if (process.argv.includes('--check')) {
    const current = await Bun.file(`${root}${target}`)
      .text()
      .catch(() => '')
    if (current !== fresh) {
      console.error(`${target} is stale: run bun run scripts/embed-migrations.ts`)
      stale = true
    }
  } else {
    await Bun.write(`${root}${target}`, fresh)
    console.log(`wrote ${root}${target}`)
  }
}
if (stale) process.exit(1)
