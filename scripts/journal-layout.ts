// What the journal's table layout costs per append on SQLite: CPU and bytes written, layouts side by side.
// Usage: bun run scripts/journal-layout.ts [--rounds 9] [--batches 150] [--batch 32] [--prefill 20000] [--durability normal|full]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { JournalAppender } from '../src/journal/append'
import { diffDocuments } from '../src/journal/diff'
import type { JournalDraft } from '../src/journal/types'
import { openDatabase } from '../src/store/db'
import type { Durability } from '../src/store/durability'

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '9' },
    batches: { type: 'string', default: '150' },
    batch: { type: 'string', default: '32' },
    prefill: { type: 'string', default: '20000' },
    durability: { type: 'string', default: 'normal' },
  },
})
const rounds = Number(values.rounds)
const batches = Number(values.batches)
const batch = Number(values.batch)

const COLUMNS = `seq integer NOT NULL, tenant text NOT NULL, at text NOT NULL, actor text, request_id text,
  op text NOT NULL, resource_type text NOT NULL, resource_id text NOT NULL, version_before integer, version_after integer,
  changes text NOT NULL, compat text NOT NULL, cascade integer NOT NULL, prev_hash text NOT NULL, hash text NOT NULL,
  resource_prev_seq integer`
/** The layout the migrations make, and the ones tried against it (statements run after migrating). */
const LAYOUTS: Record<string, string[]> = {
  current: [],
  'with a history index (tenant, resource_id)': [
    'CREATE INDEX journal_tenant_resource ON journal (tenant, resource_id)',
  ],
  '(tenant, seq) index without at': [
    'DROP INDEX journal_tenant_seq_at',
    'CREATE INDEX journal_tenant_seq ON journal (tenant, seq)',
  ],
  'WITHOUT ROWID (tenant, seq)': [
    'DROP TABLE journal',
    `CREATE TABLE journal (${COLUMNS}, PRIMARY KEY (tenant, seq)) WITHOUT ROWID`,
  ],
}

// The bench's user (scripts/bench-lib/post-user.lua), as a create's entry holds it.
const doc = {
  userName: 'bench@example.com',
  externalId: 'xbench',
  active: true,
  name: { givenName: 'Bench', familyName: 'Writer' },
  emails: [{ value: 'bench@example.com', type: 'work', primary: true }],
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { department: 'Sales' },
}
function draft(): JournalDraft {
  return {
    at: new Date().toISOString(),
    actor: 'e3b98a4d',
    requestId: '9cc43a61-1',
    op: 'create',
    resourceType: 'User',
    // Time-ordered, as the server's ids are.
    resourceId: Bun.randomUUIDv7(),
    versionBefore: null,
    versionAfter: 1,
    changes: diffDocuments(undefined, doc),
    compat: ['schemas-incomplete'],
    cascade: false,
  }
}

/** Bytes this process handed to write(2) so far: the WAL frames and the checkpoints' pages. */
function written(): number {
  return Number(/wchar: (\d+)/.exec(readFileSync('/proc/self/io', 'utf8'))![1])
}

const dir = mkdtempSync(join(tmpdir(), 'journal-layout-'))
const subjects = Object.entries(LAYOUTS).map(([name, statements], i) => {
  const { sqlite } = openDatabase(join(dir, `${i}.db`), values.durability as Durability)
  for (const s of statements) sqlite.run(s)
  const appender = new JournalAppender(sqlite)
  const begin = sqlite.query('BEGIN IMMEDIATE')
  const commit = sqlite.query('COMMIT')
  // One write-queue batch: each job appends one entry, the heads go back before COMMIT.
  const append = (n: number) => {
    begin.run()
    appender.openBatch()
    for (let j = 0; j < n; j++) {
      appender.jobStarted()
      appender.append('default', draft())
    }
    appender.writeHeads()
    commit.run()
    appender.closeBatch()
    appender.pending.clear()
  }
  for (let j = 0; j < Number(values.prefill) / batch; j++) append(batch)
  return { name, sqlite, append, cpu: [] as number[], bytes: [] as number[] }
})

for (let r = 0; r < rounds; r++) {
  // Alternate the order: the machine is shared and drifts.
  for (const s of r % 2 === 0 ? subjects : [...subjects].reverse()) {
    const bytes = written()
    const start = process.cpuUsage()
    for (let j = 0; j < batches; j++) s.append(batch)
    const used = process.cpuUsage(start)
    s.cpu.push((used.user + used.system) / (batches * batch))
    s.bytes.push((written() - bytes) / (batches * batch))
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
console.log(
  `durability ${values.durability}, ${rounds} rounds of ${batches} batches of ${batch}, after ${values.prefill} entries`
)
for (const s of subjects)
  console.log(
    `${s.name.padEnd(32)} median ${median(s.cpu).toFixed(2)} µs min ${Math.min(...s.cpu).toFixed(2)} µs, ${median(s.bytes).toFixed(0)} bytes written per entry`
  )
for (const s of subjects) s.sqlite.close()
rmSync(dir, { recursive: true, force: true })
