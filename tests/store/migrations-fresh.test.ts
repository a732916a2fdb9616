// The embedded migrations module must match drizzle-kit's output in drizzle/.
import { expect, test } from 'bun:test'
import { renderMigrationsModule } from '../../scripts/migrations-module'

test('src/store/migrations.gen.ts is fresh (run scripts/embed-migrations.ts when this fails)', async () => {
  const expected = await renderMigrationsModule(new URL('../../drizzle/', import.meta.url).pathname)
  const actual = await Bun.file(new URL('../../src/store/migrations.gen.ts', import.meta.url).pathname).text()
  expect(actual).toBe(expected)
})
