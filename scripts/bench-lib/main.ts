// Entry of scripts/bench: for each size seed, run the read and write phases, print the table and
// write bench-results/<timestamp>.json. scripts/bench owns the temp dir and the kill-on-exit trap.
import { cpus } from 'node:os'
import { mkdirSync, statSync, writeFileSync } from 'node:fs'
import { parseOptions } from './config'
import { hitRatio, SizeRun, type Recorder, type SizeState } from './phases'
import { PgBench } from './pg-phases'
import { crossTargets, render, summarize } from './report'

const o = parseOptions(process.argv.slice(2), process.env)
const started = new Date()
const stamp = started
  .toISOString()
  .replace(/[:]/g, '-')
  .replace(/\.\d+Z$/, 'Z')
const rec: Recorder = { measurements: [], anomalies: [] }
const states: SizeState[] = []
let failure: string | null = null
let current: SizeRun | null = null
const pg = o.store === 'pg' ? new PgBench(o, rec) : null

console.log(
  `bench: sizes ${o.sizes.join(', ')}; ${o.only === 'all' ? 'read + write' : o.only}; ${o.rounds} round(s) of ${o.seconds} s (+${o.warmupSeconds} s warm-up); wrk -t1 -c${o.connections} on core ${o.loadCore}, servers on core ${o.serverCore}`
)
console.log(`bench: binary ${o.bin} (built ${statSync(o.bin).mtime.toISOString()}), temp ${o.tmp}`)

const stopOnSignal = async (signal: string) => {
  console.error(`bench: ${signal}, stopping servers`)
  await current?.stopScim().catch(() => {})
  await pg?.stop()
  process.exit(130)
}
process.on('SIGINT', () => void stopOnSignal('SIGINT'))
process.on('SIGTERM', () => void stopOnSignal('SIGTERM'))

try {
  await pg?.start()
  for (const size of o.sizes) {
    const dir = `${o.tmp}/size-${size}`
    mkdirSync(dir, { recursive: true })
    const st: SizeState = { size, dir, ids: [], usersInDb: 0, rss: [], baselineRss: [], lookupCache: [], seedRate: 0 }
    states.push(st)
    const run = new SizeRun(o, rec, st)
    current = run
    try {
      await run.seed()
      if (o.only !== 'write') await run.readPhase()
      if (o.only !== 'read') {
        await run.writePhase()
        await run.memberPhase()
      }
    } finally {
      await run.stopScim()
    }
    await pg?.size(size, `${dir}/pg`)
    st.ids = [] // the lists stay in the temp dir; keep the JSON small
  }
} catch (error) {
  failure = error instanceof Error ? (error.stack ?? error.message) : String(error)
  console.error(`\nbench: FAILED: ${failure}`)
} finally {
  await pg?.stop()
}

const rows = summarize(rec.measurements, o.sizes)
const extras = crossTargets(rows, o.sizes, states)
const finished = new Date()
const minutes = ((finished.getTime() - started.getTime()) / 60000).toFixed(1)

console.log(`\n=== scim-server bench, ${started.toISOString()} (${minutes} min) ===`)
console.log(
  `medians of ${o.rounds} round(s) of ${o.seconds} s; ratio = median of per-round req/s ÷ baseline req/s measured in the same round`
)
for (const st of states) {
  console.log(
    `seeded ${st.size.toLocaleString('en')} users over HTTP at ${Math.round(st.seedRate).toLocaleString('en')}/s${st.extraSeedRate ? `; extra users for the group scenarios at ${Math.round(st.extraSeedRate).toLocaleString('en')}/s` : ''}`
  )
}
console.log()
console.log(render(rows, extras))
console.log()
for (const st of states) {
  if (st.rss.length)
    console.log(
      `RSS @ ${st.size.toLocaleString('en')}: scim-server ${st.rss.map((r) => r.mb.toFixed(1)).join(' / ')} MB per round (read baseline ${st.baselineRss.map((r) => r.mb.toFixed(1)).join(' / ')} MB)`
    )
  if (st.lookupCache.length)
    console.log(
      `lookup cache @ ${st.size.toLocaleString('en')}: ${st.lookupCache.map(hitRatio).join(' / ')} per round (the userName eq scenario)`
    )
}
pg?.print()
if (rec.anomalies.length) {
  console.log(`\n${rec.anomalies.length} anomal${rec.anomalies.length === 1 ? 'y' : 'ies'}:`)
  for (const a of rec.anomalies) console.log(`  - ${a}`)
} else {
  console.log('\nno anomalies: every probe answered as expected, no non-2xx or socket errors under load')
}

mkdirSync(o.outDir, { recursive: true })
const file = `${o.outDir}/${stamp}.json`
const { token: _token, ...options } = o
writeFileSync(
  file,
  JSON.stringify(
    {
      started: started.toISOString(),
      finished: finished.toISOString(),
      command: o.command,
      host: { cpus: cpus().length, cpu: cpus()[0]?.model, bun: Bun.version },
      binary: {
        copyOf: `${new URL('../..', import.meta.url).pathname}scim-server`,
        mtime: statSync(o.bin).mtime.toISOString(),
        bytes: statSync(o.bin).size,
        sha256: new Bun.CryptoHasher('sha256').update(await Bun.file(o.bin).arrayBuffer()).digest('hex'),
      },
      options,
      failure,
      summary: rows,
      crossTargets: extras,
      sizes: states.map(({ ids: _ids, ...s }) => s),
      anomalies: rec.anomalies,
      postgres: pg?.results(),
      measurements: rec.measurements,
    },
    null,
    2
  )
)
console.log(`\nresults: ${file}`)
process.exit(failure ? 1 : 0)
