// Turns drizzle-kit's output in drizzle/ into src/store/migrations.gen.ts, so the binary embeds it.
// Usage: bun run scripts/embed-migrations.ts [--check]   (--check exits 1 when the file is stale)
import { renderMigrationsModule } from './migrations-module'

const target = new URL('../src/store/migrations.gen.ts', import.meta.url).pathname
const fresh = await renderMigrationsModule(new URL('../drizzle/', import.meta.url).pathname)
if (process.argv.includes('--check')) {
  const current = await Bun.file(target)
    .text()
    .catch(() => '')
  if (current !== fresh) {
    console.error('src/store/migrations.gen.ts is stale: run bun run scripts/embed-migrations.ts')
    process.exit(1)
  }
} else {
  await Bun.write(target, fresh)
  console.log(`wrote ${target}`)
}
