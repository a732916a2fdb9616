// Per-request cost on PostgreSQL: a prepared lookup, a read by id and a durable insert, through Bun SQL and (when installed) the `postgres` package, raw and under Drizzle, and through the PostgreSQL store.
// Usage: bun run scripts/bench-pg.ts [URL]   (without URL it starts a throwaway server with scripts/pg.sh)
// The `postgres` package is not a dependency: `bun add --no-save postgres` to include it in the comparison.
import { SQL } from 'bun'
import { and, eq, sql } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/bun-sql'
import resourceTypes from '../src/scim/schema/builtin/resource-types.json'
import enterpriseUser from '../src/scim/schema/builtin/enterprise-user.json'
import group from '../src/scim/schema/builtin/group.json'
import user from '../src/scim/schema/builtin/user.json'
import { createRegistry } from '../src/scim/schema/registry'
import { run } from '../src/service/effect'
import type { ResourceTypeDocument, SchemaDocument } from '../src/scim/schema/types'
import { applyPgMigrations } from '../src/store-pg/migrate'
import { MIGRATIONS } from '../src/store-pg/migrations.gen'
import { createPgResourceStore } from '../src/store-pg/resource-store'
import { resources } from '../src/store-pg/tables'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1000)
const BLOCKS = Number(process.env.BENCH_BLOCKS ?? 5)
const pgSh = new URL('./pg.sh', import.meta.url).pathname
const url = process.argv[2] ?? (await Bun.$`bash ${pgSh} start --owner ${process.pid}`.text()).trim()
const client = new SQL(url, { max: 1 })
await client.unsafe('DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public; DROP SCHEMA IF EXISTS drizzle CASCADE')
await applyPgMigrations(client, MIGRATIONS)

const doc = (i: number) => ({
  id: `b${i}`,
  type: 'User',
  nameCi: `user${i}`,
  data: { userName: `user${i}`, emails: [{ value: `u${i}@example.com`, primary: true }] },
  version: 1,
  created: '2026-01-01T00:00:00.000Z',
  lastModified: '2026-01-01T00:00:00.000Z',
})

/**
 * One client's operations: `insert(i)` writes resource i, `lookup(i)` reads one by name through a
 * prepared statement, `get(i)` reads one by id (where measured).
 */
interface Contender {
  insert(i: number): Promise<unknown>
  lookup(i: number): Promise<unknown>
  get?(i: number): Promise<unknown>
}

/**
 * `textJson`: hand the document over as JSON text. resources.data passes values through as they
 * are, which Bun SQL wants (it encodes objects itself); the postgres package wants text here.
 */
function drizzleContender(orm: ReturnType<typeof drizzle>, name: string, textJson = false): Contender {
  const lookup = orm
    .select({ id: resources.id, data: resources.data })
    .from(resources)
    .where(
      and(eq(resources.tenant, 'default'), eq(resources.type, 'User'), eq(resources.nameCi, sql.placeholder('name')))
    )
    .prepare(name)
  return {
    insert: (i) => {
      const d = doc(i)
      return orm.insert(resources).values(textJson ? { ...d, data: JSON.stringify(d.data) as never } : d)
    },
    lookup: (i) => lookup.execute({ name: `user${i}` }),
  }
}

const contenders: Record<string, Contender> = {
  'Bun SQL': {
    insert: (i) => {
      const d = doc(i)
      return client`INSERT INTO resources (id, type, name_ci, data, version, created, last_modified)
        VALUES (${d.id}, ${d.type}, ${d.nameCi}, ${d.data}, ${d.version}, ${d.created}, ${d.lastModified})`
    },
    lookup: (i) =>
      client`SELECT id, data FROM resources WHERE tenant = 'default' AND type = 'User' AND name_ci = ${`user${i}`}`,
    get: (i) =>
      client`SELECT id, data, version, created, last_modified FROM resources WHERE tenant = 'default' AND type = 'User' AND id = ${`b${i}`}`,
  },
  'Drizzle over Bun SQL': drizzleContender(drizzle({ client }), 'bench_lookup_bun'),
}

// The store as the services will call it: an insert is a write job (BEGIN, INSERT, COMMIT), a
// get reads the row with the user's groups; with the journal, a job also appends its entry.
const registry = createRegistry(
  [user, group, enterpriseUser] as unknown as SchemaDocument[],
  resourceTypes as unknown as ResourceTypeDocument[]
)
const User = registry.resourceType('User')!
function storeContender(journaling: boolean): Contender {
  const store = createPgResourceStore(drizzle({ client }), { journaling })
  return {
    insert: (i) =>
      store.write(function* (tx) {
        const { nameCi: _, ...r } = doc(i)
        yield* tx.insert(User, r)
        yield* tx.journal({
          at: r.lastModified,
          actor: null,
          requestId: null,
          op: 'create',
          resourceType: 'User',
          resourceId: r.id,
          versionBefore: null,
          versionAfter: 1,
          changes: [{ path: 'userName', after: r.data.userName }],
          compat: [],
          cascade: false,
        })
      }),
    lookup: async (i) => run(store.findByName(User, `user${i}`)),
    get: async (i) => run(store.get(User, `b${i}`)),
  }
}
contenders['PG store'] = storeContender(false)
contenders['PG store + journal'] = storeContender(true)

// A variable specifier: the package is optional, so neither tsc nor the bundler may require it.
const optional = ['postgres', 'drizzle-orm/postgres-js']
const loaded = await Promise.all(optional.map((m) => import(m).catch(() => undefined)))
const closers: (() => Promise<unknown>)[] = [() => client.close()]
if (loaded[0] && loaded[1]) {
  const pg = loaded[0].default(url, { max: 1 })
  closers.push(() => pg.end())
  contenders.postgres = {
    insert: (i) => {
      const d = doc(i)
      return pg`INSERT INTO resources (id, type, name_ci, data, version, created, last_modified)
        VALUES (${d.id}, ${d.type}, ${d.nameCi}, ${pg.json(d.data)}, ${d.version}, ${d.created}, ${d.lastModified})`
    },
    lookup: (i) =>
      pg`SELECT id, data FROM resources WHERE tenant = 'default' AND type = 'User' AND name_ci = ${`user${i}`}`,
  }
  // Its own client: drizzle-orm/postgres-js replaces the client's json serializers, which pg.json() relies on.
  const forDrizzle = loaded[0].default(url, { max: 1 })
  closers.push(() => forDrizzle.end())
  contenders['Drizzle over postgres'] = drizzleContender(
    loaded[1].drizzle({ client: forDrizzle }),
    'bench_lookup_pgjs',
    true
  )
} else {
  console.log('(postgres package not installed: comparing Bun SQL only)')
}

/** The q-quantile of xs (0.5: the median); p10 shows the floor when other load inflates the median. */
const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * q)]!

async function time(run: () => Promise<unknown>, into: number[]) {
  const t = Bun.nanoseconds()
  await run()
  into.push((Bun.nanoseconds() - t) / 1000)
}

// Blocks alternate between contenders, so drift on this noisy machine touches each alike.
const inserts: Record<string, number[]> = {}
const lookups: Record<string, number[]> = {}
const gets: Record<string, number[]> = {}
const names = Object.keys(contenders)
let next = 0
for (let b = 0; b < BLOCKS; b++) {
  for (const name of names) {
    const c = contenders[name]!
    for (let i = 0; i < ROUNDS; i++) await time(() => c.insert(next++), (inserts[name] ??= []))
  }
}
// Fresh statistics before the reads: a plan prepared over the empty table's would scan it.
await client`ANALYZE resources`
for (let b = 0; b < BLOCKS; b++) {
  for (const name of names) {
    const c = contenders[name]!
    for (let i = 0; i < ROUNDS; i++) await time(() => c.lookup((i * 7919) % next), (lookups[name] ??= []))
    if (c.get) for (let i = 0; i < ROUNDS; i++) await time(() => c.get!((i * 7919) % next), (gets[name] ??= []))
  }
}
console.log(`µs per call, ${ROUNDS * BLOCKS} sequential calls each, ${next} rows at the end`)
const cols = ['insert p50', 'insert p10', 'lookup p50', 'lookup p10', 'get p50', 'get p10']
console.log(`${'client'.padEnd(24)}${cols.map((c) => c.padStart(12)).join('')}`)
for (const name of names) {
  const cells = [
    quantile(inserts[name]!, 0.5),
    quantile(inserts[name]!, 0.1),
    quantile(lookups[name]!, 0.5),
    quantile(lookups[name]!, 0.1),
    gets[name] && quantile(gets[name], 0.5),
    gets[name] && quantile(gets[name], 0.1),
  ]
  console.log(`${name.padEnd(24)}${cells.map((v) => (v === undefined ? '-' : v.toFixed(0)).padStart(12)).join('')}`)
}
// Every client must have stored documents as jsonb objects, or the comparison would be unfair.
const [odd] = await client`SELECT count(*)::int AS n FROM resources WHERE jsonb_typeof(data) <> 'object'`
if (odd?.n !== 0) console.log(`${odd?.n} documents stored as something other than a jsonb object`)
for (const close of closers) await close()
