// Measures RFC 8936 poll latency of the binary over a journal of N entries (default 1,000,000):
// polls of 100 SETs with acks from the oldest entry, empty polls at the head, and how fast a
// waiting long poll answers a new commit. Usage: bun run scripts/events-poll-latency.ts [--entries N] [--bin ./scim-server]
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { journalOf } from '../src/journal/journal'
import { openDatabase } from '../src/store/db'

const { values } = parseArgs({
  options: { entries: { type: 'string', default: '1000000' }, bin: { type: 'string', default: './scim-server' } },
})
const total = Number(values.entries)
const dir = mkdtempSync(join(tmpdir(), 'scim-poll-latency-'))
const db = join(dir, 'scim.db')
const token = `bench-${randomUUID()}`

// The journal, appended straight through its appender as scripts/journal-scale.ts does.
{
  const { sqlite } = openDatabase(db, 'normal')
  const { appender } = journalOf(sqlite)
  const ids = Array.from({ length: 1000 }, () => randomUUID())
  for (let at = 0; at < total; at += 10_000) {
    sqlite.transaction(() => {
      for (let i = at; i < Math.min(total, at + 10_000); i++)
        appender.append('default', {
          at: new Date(Date.parse('2026-01-01T00:00:00Z') + i * 1000).toISOString(),
          actor: 'a1b2c3d4',
          requestId: `r-${i}`,
          op: 'patch',
          resourceType: 'User',
          resourceId: ids[i % ids.length]!,
          versionBefore: 1,
          versionAfter: 2,
          changes: [{ path: 'active', before: true, after: false }],
          compat: [],
          cascade: false,
        })
    })()
  }
  sqlite.close()
}

function quantiles(ms: number[]): string {
  const s = [...ms].sort((a, b) => a - b)
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!.toFixed(2)
  return `p50 ${at(0.5)} ms, p99 ${at(0.99)} ms (n=${s.length})`
}

async function serve<T>(run: (base: string) => Promise<T>): Promise<T> {
  const port = 20000 + Math.floor(Math.random() * 20000)
  const proc = Bun.spawn([values.bin!, '--port', String(port), '--db', db, '--token', token], {
    stdout: 'ignore',
    stderr: 'inherit',
  })
  const base = `http://127.0.0.1:${port}/scim/v2`
  for (let i = 0; i < 100; i++) {
    if (
      await fetch(`http://127.0.0.1:${port}/healthz`).then(
        (r) => r.ok,
        () => false
      )
    )
      break
    await Bun.sleep(100)
  }
  try {
    return await run(base)
  } finally {
    proc.kill('SIGTERM')
    await proc.exited
  }
}

const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' }
const poll = async (base: string, body: unknown) => {
  const t0 = performance.now()
  const res = await fetch(`${base}/Events`, { method: 'POST', headers, body: JSON.stringify(body) })
  const json = (await res.json()) as { sets: Record<string, string> }
  return { ms: performance.now() - t0, jtis: Object.keys(json.sets ?? {}) }
}

const fromStart: number[] = []
await serve(async (base) => {
  let ack: string[] = []
  for (let i = 0; i < 200; i++) {
    const r = await poll(base, { maxEvents: 100, returnImmediately: true, ack })
    fromStart.push(r.ms)
    ack = r.jtis
  }
})
// Move the poll position to the head, as a receiver that has acknowledged everything.
{
  const { sqlite } = openDatabase(db, 'normal')
  sqlite.run("UPDATE event_streams SET acked_seq = (SELECT max(seq) FROM journal) WHERE tenant = 'default'")
  sqlite.close()
}
const empty: number[] = []
const wake: number[] = []
const createMs: number[] = []
await serve(async (base) => {
  for (let i = 0; i < 200; i++) empty.push((await poll(base, { maxEvents: 100, returnImmediately: true })).ms)
  let ack: string[] = []
  for (let i = 0; i < 50; i++) {
    const waiting = poll(base, { maxEvents: 100, returnImmediately: false, ack }).then((r) => ({
      ...r,
      at: performance.now(),
    }))
    await Bun.sleep(20)
    // From sending the create to the waiting poll's answer: the commit, and the wake-up after it.
    const sent = performance.now()
    const made = await fetch(`${base}/Users`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ userName: `wake${i}@example.test` }),
    })
    await made.text()
    const create = performance.now() - sent
    const r = await waiting
    ack = r.jtis
    wake.push(r.at - sent)
    createMs.push(create)
  }
})
rmSync(dir, { recursive: true, force: true })
console.log(`journal of ${total.toLocaleString('en')} entries`)
console.log(`poll 100 SETs + ack, from the oldest entry: ${quantiles(fromStart)}`)
console.log(`empty poll at the head:                  ${quantiles(empty)}`)
console.log(`create sent → waiting long poll answered: ${quantiles(wake)} (the create itself: ${quantiles(createMs)})`)
