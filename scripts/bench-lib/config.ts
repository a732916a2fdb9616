// Options of scripts/bench and the constants every phase shares.

export interface BenchOptions {
  quick: boolean
  sizes: number[]
  only: 'read' | 'write' | 'all'
  /** `pg`: also the PostgreSQL store against a bare Bun + PostgreSQL baseline (pg-phases.ts). */
  store: 'sqlite' | 'pg'
  rounds: number
  seconds: number
  warmupSeconds: number
  connections: number
  concurrency: number // seeding fetches in flight
  /** Member-add scenarios: K small groups of 100 used round-robin, one group of 100,000. */
  smallGroups: number
  smallGroupSize: number
  bigGroupSize: number
  /** Users that are in no group; each member-add request takes the next one. */
  poolSize: number
  bin: string
  tmp: string
  outDir: string
  libDir: string
  token: string
  serverCore: number
  loadCore: number
  command: string
}

const USAGE = `usage: scripts/bench [--quick] [--sizes 10000,1000000] [--only read|write] [--rounds N] [--store pg]
  --quick       3 s measurements, 1 round (default: 10 s, 3 rounds, medians reported)
  --sizes       seeded user counts, comma-separated (default 10000,1000000)
  --only        run only the read or only the write scenarios
  --rounds N    measurement rounds per scenario (medians of N)
  --seconds S   override the measurement duration
  --store pg    also start a throwaway PostgreSQL and measure the store on it against a bare
                Bun + PostgreSQL baseline, beside the SQLite rounds (default sizes then: 10000)`

export function parseOptions(argv: string[], env: Record<string, string | undefined>): BenchOptions {
  const value = (name: string): string | undefined => {
    const at = argv.indexOf(`--${name}`)
    if (at < 0) return undefined
    const v = argv[at + 1]
    if (v === undefined || v.startsWith('--')) fail(`--${name} needs a value`)
    return v
  }
  const known = new Set([
    '--quick',
    '--sizes',
    '--only',
    '--rounds',
    '--seconds',
    '--tmp',
    '--bin',
    '--out',
    '--store',
    '--help',
    '-h',
  ])
  argv.forEach((a, i) => {
    if (a.startsWith('-') && !known.has(a)) fail(`unknown option ${a}`)
    if (!a.startsWith('-') && !(argv[i - 1] ?? '').startsWith('--')) fail(`unexpected argument ${a}`)
  })
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE)
    process.exit(0)
  }
  const quick = argv.includes('--quick')
  const store = value('store') ?? 'sqlite'
  if (store !== 'sqlite' && store !== 'pg') fail('--store wants sqlite or pg')
  const sizes = (value('sizes') ?? (store === 'pg' ? '10000' : '10000,1000000'))
    .split(',')
    .map((s) => Number(s.trim().replace(/_/g, '')))
  if (sizes.some((n) => !Number.isInteger(n) || n < 1000)) fail('--sizes wants integers ≥ 1000')
  const only = value('only') ?? 'all'
  if (only !== 'read' && only !== 'write' && only !== 'all') fail('--only wants read or write')
  const rounds = Number(value('rounds') ?? (quick ? 1 : 3))
  if (!Number.isInteger(rounds) || rounds < 1) fail('--rounds wants a positive integer')
  const seconds = Number(value('seconds') ?? (quick ? 3 : 10))
  if (!(seconds >= 1 && seconds <= 120)) fail('--seconds wants 1..120')
  const tmp = value('tmp') ?? fail('--tmp is set by scripts/bench')
  const root = new URL('../..', import.meta.url).pathname.replace(/\/$/, '')
  return {
    quick,
    sizes,
    only,
    store,
    rounds,
    seconds,
    warmupSeconds: quick ? 1 : 2,
    connections: 32,
    concurrency: 48,
    smallGroups: 1000,
    smallGroupSize: 100,
    bigGroupSize: 100_000,
    poolSize: quick ? 60_000 : 200_000,
    bin: value('bin') ?? `${root}/scim-server`,
    tmp,
    outDir: value('out') ?? `${root}/bench-results`,
    libDir: `${root}/scripts/bench-lib`,
    token: `bench-${crypto.randomUUID()}`,
    serverCore: 1,
    loadCore: 0,
    command: env.BENCH_COMMAND ?? `scripts/bench ${argv.filter((a) => a !== '--tmp' && a !== tmp).join(' ')}`.trim(),
  }
}

function fail(message: string): never {
  console.error(`bench: ${message}\n${USAGE}`)
  process.exit(2)
}
