// Per-request cost on PostgreSQL through Bun SQL: a prepared lookup and a durable insert, raw and through Drizzle.
// Usage: bun run scripts/bench-pg.ts [URL]   (without URL it starts a throwaway server with scripts/pg.sh)
import { SQL } from 'bun'
import { and, eq, sql } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/bun-sql'
import { applyPgMigrations } from '../src/store-pg/migrate'
import { MIGRATIONS } from '../src/store-pg/migrations.gen'
import { resources } from '../src/store-pg/tables'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3000)
const pgSh = new URL('./pg.sh', import.meta.url).pathname
const url = process.argv[2] ?? (await Bun.$`bash ${pgSh} start --owner ${process.pid}`.text()).trim()
const client = new SQL(url, { max: 1 })
await client.unsafe('DROP SCHEMA public CASCADE; CREATE SCHEMA public; DROP SCHEMA IF EXISTS drizzle CASCADE')
await applyPgMigrations(client, MIGRATIONS)
const orm = drizzle({ client })

const doc = (i: number) => ({
  id: `b${i}`,
  type: 'User',
  nameCi: `user${i}`,
  data: { userName: `user${i}`, emails: [{ value: `u${i}@example.com`, primary: true }] },
  version: 1,
  created: new Date().toISOString(),
  lastModified: new Date().toISOString(),
})

/** Median µs of `run(i)` over ROUNDS calls, one at a time (one request's latency, not throughput). */
async function median(run: (i: number) => Promise<unknown>, offset: number): Promise<number> {
  const times: number[] = []
  for (let i = 0; i < ROUNDS; i++) {
    const t = Bun.nanoseconds()
    await run(offset + i)
    times.push((Bun.nanoseconds() - t) / 1000)
  }
  times.sort((a, b) => a - b)
  return times[Math.floor(times.length / 2)]!
}

const insertDrizzle = (i: number) => orm.insert(resources).values(doc(i))
const insertRaw = (i: number) => {
  const d = doc(i)
  return client`INSERT INTO resources (id, type, name_ci, data, version, created, last_modified)
    VALUES (${d.id}, ${d.type}, ${d.nameCi}, ${d.data}, ${d.version}, ${d.created}, ${d.lastModified})`
}
const lookup = orm
  .select({ id: resources.id, data: resources.data })
  .from(resources)
  .where(
    and(eq(resources.tenant, 'default'), eq(resources.type, 'User'), eq(resources.nameCi, sql.placeholder('name')))
  )
  .prepare('bench_lookup')
const lookupDrizzle = (i: number) => lookup.execute({ name: `user${i % ROUNDS}` })
const lookupRaw = (i: number) =>
  client`SELECT id, data FROM resources WHERE tenant = 'default' AND type = 'User' AND name_ci = ${`user${i % ROUNDS}`}`

const results = {
  'insert, Bun SQL': await median(insertRaw, 0),
  'insert, Drizzle over Bun SQL': await median(insertDrizzle, ROUNDS),
  'prepared lookup, Bun SQL': await median(lookupRaw, 0),
  'prepared lookup, Drizzle over Bun SQL': await median(lookupDrizzle, 0),
}
for (const [name, us] of Object.entries(results)) console.log(`${name.padEnd(40)} median ${us.toFixed(0)} µs`)
await client.close()
