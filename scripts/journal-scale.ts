// Measures the journal at scale: appends N entries (default 1,000,000) straight through the journal's
// append, then times `journal verify` and `journal export` of the binary, and reports database growth
// per entry. Usage: bun run scripts/journal-scale.ts [--entries N] [--bin ./scim-server]
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { randomUUID } from 'node:crypto'
import { journalOf } from '../src/journal/journal'
import type { JournalDraft } from '../src/journal/types'
import { openDatabase } from '../src/store/db'

const { values } = parseArgs({
  options: {
    entries: { type: 'string', default: '1000000' },
    bin: { type: 'string', default: './scim-server' },
  },
})
const total = Number(values.entries)
const dir = mkdtempSync(join(tmpdir(), 'scim-journal-scale-'))
const db = join(dir, 'scim.db')

/** Bytes of the database file after a checkpoint folded the WAL into it. */
function bytes(sqlite: ReturnType<typeof openDatabase>['sqlite']): number {
  sqlite.run('PRAGMA wal_checkpoint(TRUNCATE)')
  return statSync(db).size
}

const { sqlite } = openDatabase(db, 'normal')
const before = bytes(sqlite)
const { appender } = journalOf(sqlite)
const actor = 'a1b2c3d4'
const ids = Array.from({ length: 1000 }, () => randomUUID())
const start = Date.parse('2026-01-01T00:00:00Z')
// A typical Entra run: mostly PATCHes of one or two attributes, a create now and then.
const draftOf = (i: number): JournalDraft => {
  const create = i % 10 === 0
  return {
    at: new Date(start + i * 1000).toISOString(),
    actor,
    requestId: `${randomUUID().slice(0, 8)}-j`,
    op: create ? 'create' : 'patch',
    resourceType: 'User',
    resourceId: ids[i % ids.length]!,
    versionBefore: create ? null : 1 + (i % 7),
    versionAfter: create ? 1 : 2 + (i % 7),
    changes: create
      ? [
          { path: 'active', after: true },
          { path: 'displayName', after: `User ${i}` },
          { path: 'userName', after: `user${i}@example.com` },
        ]
      : [
          { path: 'active', before: true, after: false },
          { path: 'name.familyName', before: 'Old', after: 'New' },
        ],
    compat: create ? [] : ['entra.capitalisedOp', 'entra.booleanString'],
    cascade: false,
  }
}

let t = performance.now()
const batch = 10_000
for (let at = 0; at < total; at += batch) {
  sqlite.transaction(() => {
    for (let i = at; i < Math.min(total, at + batch); i++) appender.append('default', draftOf(i))
  })()
}
const appendSeconds = (performance.now() - t) / 1000
const after = bytes(sqlite)
sqlite.close()

async function timed(args: string[]): Promise<{ seconds: number; out: string }> {
  const t0 = performance.now()
  const proc = Bun.spawn([values.bin, ...args], { stdout: 'pipe', stderr: 'pipe' })
  const [out, err, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ])
  if (code !== 0) throw new Error(`${args.join(' ')} exited ${code}: ${err}`)
  return { seconds: (performance.now() - t0) / 1000, out: out + err }
}

t = performance.now()
const verify = await timed(['journal', 'verify', '--db', db])
const jsonl = await timed(['journal', 'export', '--db', db, '--format', 'jsonl', '--out', join(dir, 'journal.jsonl')])
const cef = await timed(['journal', 'export', '--db', db, '--format', 'cef', '--out', join(dir, 'journal.cef')])
const n = total.toLocaleString('en')
console.log(`journal of ${n} entries (${dir})`)
console.log(
  `  append (in-process, 10,000 per transaction): ${appendSeconds.toFixed(1)} s, ${Math.round(total / appendSeconds).toLocaleString('en')} entries/s`
)
console.log(
  `  database growth: ${((after - before) / 1e6).toFixed(1)} MB, ${Math.round((after - before) / total)} bytes per entry`
)
console.log(`  journal verify: ${verify.seconds.toFixed(1)} s (${verify.out.trim().split('\n').at(-1)})`)
console.log(
  `  journal export --format jsonl: ${jsonl.seconds.toFixed(1)} s, ${(statSync(join(dir, 'journal.jsonl')).size / 1e6).toFixed(0)} MB`
)
console.log(
  `  journal export --format cef: ${cef.seconds.toFixed(1)} s, ${(statSync(join(dir, 'journal.cef')).size / 1e6).toFixed(0)} MB`
)
rmSync(dir, { recursive: true, force: true })
