// scripts/bench --store pg for one size: the binary on PostgreSQL and the bare Bun + PostgreSQL baseline, round by round, then a profile of each.
import { mkdirSync } from 'node:fs'
import { SQL } from 'bun'
import { openBaselineDb } from './baseline-server'
import type { BenchOptions } from './config'
import { createPgBaselineTable } from './pg-baseline-server'
import { describeProfile, type PgProfile, profileRun } from './pg-profile'
import { type BenchPostgres, startBenchPostgres } from './pg-server'
import { onlyUser, type Recorder, SizeRun, type SizeState } from './phases'
import { freshPort, startServer, stopServer, type Server, serveArgs } from './proc'
import { call, seedUsers, userName, writeList, type Api } from './seed'

export const PG_FILTER = 'pg.filter-eq'
export const PG_POST = 'pg.post'
const FILTER_PATH = '/scim/v2/Users?filter=userName+eq+%22{}%22'

/** The binary's and the baseline's runs for one size; the SQLite rounds' SizeState is not touched. */
export class PgSizeRun {
  private readonly st: SizeState
  private readonly runner: SizeRun
  private scimUrl = ''
  private baseUrl = ''
  private scimDb = ''
  private baseDb = ''

  constructor(
    private readonly o: BenchOptions,
    rec: Recorder,
    private readonly pg: BenchPostgres,
    size: number,
    dir: string
  ) {
    mkdirSync(dir, { recursive: true })
    this.st = { size, dir, ids: [], usersInDb: 0, rss: [], baselineRss: [], lookupCache: [], seedRate: 0 }
    this.runner = new SizeRun(o, rec, this.st)
  }

  private log(message: string): void {
    console.log(`[${this.st.size.toLocaleString('en')} pg] ${message}`)
  }

  private startScim(journal = true): Promise<Server> {
    const port = freshPort()
    return startServer({
      name: `scim-pg-${this.st.size}${journal ? '' : '-nojournal'}`,
      port,
      core: this.o.serverCore,
      tmp: this.o.tmp,
      env: journal ? {} : { SCIM_JOURNAL: 'off' },
      // Durable as the baseline's INSERT is: PostgreSQL's synchronous_commit = on, its default.
      cmd: [...serveArgs(this.o.bin, port, this.scimUrl), '--token', this.o.token],
    })
  }

  private startBaseline(mode: 'read' | 'write'): Promise<Server> {
    const port = freshPort()
    return startServer({
      name: `pg-baseline-${mode}-${this.st.size}`,
      port,
      core: this.o.serverCore,
      tmp: this.o.tmp,
      cmd: [
        process.execPath,
        'run',
        `${this.o.libDir}/pg-baseline-server.ts`,
        '--mode',
        mode,
        '--port',
        String(port),
        '--url',
        this.baseUrl,
        '--token',
        this.o.token,
      ],
    })
  }

  /** Fresh databases for both; users seeded through the binary's API, its 201 bodies copied into the baseline's table. */
  async seed(): Promise<void> {
    this.scimDb = `bench_scim_${this.st.size}`
    this.scimUrl = await this.pg.freshDatabase(this.scimDb)
    this.baseDb = `bench_base_${this.st.size}`
    this.baseUrl = await this.pg.freshDatabase(this.baseDb)
    const scim = await this.startScim()
    this.log(`seeding ${this.st.size.toLocaleString('en')} users over HTTP into PostgreSQL`)
    const rows = openBaselineDb(`${this.st.dir}/rows.db`)
    try {
      const api: Api = { base: `http://127.0.0.1:${scim.port}/scim/v2`, token: this.o.token }
      const { ids, rate } = await seedUsers(api, 0, this.st.size, { concurrency: this.o.concurrency, baseline: rows })
      this.st.ids = ids
      this.st.usersInDb = this.st.size
      this.st.seedRate = rate
    } finally {
      await stopServer(scim)
    }
    const base = new SQL(this.baseUrl, { max: 1 })
    await createPgBaselineTable(base)
    const all = rows
      .query<{ id: string; user_name: string; data: string }, []>('SELECT id, user_name, data FROM users')
      .all()
    rows.close()
    for (let at = 0; at < all.length; at += 1000) await base`INSERT INTO users ${base(all.slice(at, at + 1000))}`
    await base`ANALYZE users`
    await base.close()
    const scimSql = new SQL(this.scimUrl, { max: 1 })
    await scimSql`ANALYZE`
    await scimSql.close()
    writeList(
      `${this.st.dir}/names.txt`,
      this.st.ids.map((_, i) => encodeURIComponent(userName(i)))
    )
  }

  private async probeFilter(server: Server, target: string): Promise<void> {
    const i = Math.floor(this.st.size / 2)
    await this.runner.probe(
      server,
      `pg ${target} filter-eq`,
      'GET',
      FILTER_PATH.replace('{}', encodeURIComponent(userName(i))),
      undefined,
      onlyUser(this.st.ids[i]!)
    )
  }

  private async probePost(server: Server, target: string): Promise<void> {
    const name = `p${nonce()}@example.com`
    await this.runner.probe(
      server,
      `pg ${target} post`,
      'POST',
      '/scim/v2/Users',
      JSON.stringify({ schemas: [USER_URN], userName: name }),
      (s, j) => (s !== 201 ? 'status' : typeof j?.id !== 'string' ? 'no id' : null)
    )
  }

  private readEnv(): Record<string, string> {
    return { BENCH_PATH: FILTER_PATH, BENCH_LIST: `${this.st.dir}/names.txt` }
  }

  private postEnv(): Record<string, string> {
    return { BENCH_PATH: '/scim/v2/Users', BENCH_PREFIX: `w${nonce()}` }
  }

  private async scimRound(round: number): Promise<void> {
    const scim = await this.startScim()
    try {
      if (this.o.only !== 'write') {
        await this.probeFilter(scim, 'scim')
        await this.runner.measure(PG_FILTER, 'scim', scim, 'read.lua', this.readEnv(), round)
      }
      if (this.o.only !== 'read') {
        await this.probePost(scim, 'scim')
        await this.runner.measure(PG_POST, 'scim', scim, 'post-user.lua', this.postEnv(), round)
      }
    } finally {
      await stopServer(scim)
    }
  }

  private async baselineRound(round: number): Promise<void> {
    if (this.o.only !== 'write') {
      const base = await this.startBaseline('read')
      await this.probeFilter(base, 'baseline')
      await this.runner.measure(PG_FILTER, 'baseline', base, 'read.lua', this.readEnv(), round)
      await stopServer(base)
    }
    if (this.o.only !== 'read') {
      const base = await this.startBaseline('write')
      await this.probePost(base, 'baseline')
      await this.runner.measure(PG_POST, 'baseline', base, 'post-user.lua', this.postEnv(), round)
      await stopServer(base)
    }
  }

  /** `rounds` rounds; the binary goes first in odd rounds and second in even ones, so drift favours neither. */
  async rounds(): Promise<void> {
    for (let round = 1; round <= this.o.rounds; round++) {
      if (round % 2 === 1) {
        await this.scimRound(round)
        await this.baselineRound(round)
      } else {
        await this.baselineRound(round)
        await this.scimRound(round)
      }
    }
  }

  /**
   * One more run of each scenario on each server, measuring where the time goes; POST also on
   * the binary with SCIM_JOURNAL=off, which tells the journal's share from the rest.
   */
  async profile(): Promise<PgProfile[]> {
    const out: PgProfile[] = []
    const cases: [string, string, PgProfile['target']][] = []
    if (this.o.only !== 'write') cases.push([PG_FILTER, 'read.lua', 'scim'], [PG_FILTER, 'read.lua', 'baseline'])
    if (this.o.only !== 'read')
      cases.push(
        [PG_POST, 'post-user.lua', 'scim'],
        [PG_POST, 'post-user.lua', 'nojournal'],
        [PG_POST, 'post-user.lua', 'baseline']
      )
    for (const [scenario, script, target] of cases) {
      const post = scenario === PG_POST
      const server =
        target === 'baseline'
          ? await this.startBaseline(post ? 'write' : 'read')
          : await this.startScim(target === 'scim')
      const api: Api = { base: `http://127.0.0.1:${server.port}/scim/v2`, token: this.o.token }
      try {
        const p = await profileRun({
          o: this.o,
          pg: this.pg,
          size: this.st.size,
          database: target === 'baseline' ? this.baseDb : this.scimDb,
          server,
          scenario,
          target,
          script,
          env: post ? this.postEnv() : this.readEnv(),
          one: (k) =>
            post
              ? call(
                  api,
                  'POST',
                  '/Users',
                  JSON.stringify({ schemas: [USER_URN], userName: `prof${k}${nonce()}@example.com` }),
                  [201]
                )
              : call(api, 'GET', `/Users?filter=${encodeURIComponent(`userName eq "${userName(k * 7)}"`)}`),
        })
        out.push(p)
        this.log(`profile ${describeProfile(p)}`)
      } finally {
        await stopServer(server)
      }
    }
    return out
  }
}

const USER_URN = 'urn:ietf:params:scim:schemas:core:2.0:User'
const nonce = () => Math.random().toString(36).slice(2, 8)

/** scripts/bench --store pg: one throwaway PostgreSQL for the whole run, each size measured on it after its SQLite rounds. */
export class PgBench {
  private pg: BenchPostgres | undefined
  private readonly profiles: PgProfile[] = []

  constructor(
    private readonly o: BenchOptions,
    private readonly rec: Recorder
  ) {}

  async start(): Promise<void> {
    this.pg = await startBenchPostgres(this.o.serverCore)
    console.log(
      `bench: PostgreSQL ${this.pg.version} in ${this.pg.dir}, ${this.pg.affinity}: beside the server under test, for the baseline and the binary alike; wrk on core ${this.o.loadCore}`
    )
  }

  async size(size: number, dir: string): Promise<void> {
    const run = new PgSizeRun(this.o, this.rec, this.pg!, size, dir)
    await run.seed()
    await run.rounds()
    this.profiles.push(...(await run.profile()))
  }

  print(): void {
    if (this.profiles.length === 0) return
    console.log('\nPostgreSQL, one more run each (CPU from /proc; statements from the server log):')
    for (const p of this.profiles) {
      console.log(`  @ ${p.size.toLocaleString('en')} ${describeProfile(p)}`)
      console.log(`      ${p.statements.join(' | ')}`)
    }
  }

  results(): object {
    return { version: this.pg?.version, affinity: this.pg?.affinity, profiles: this.profiles }
  }

  /** Stops the server; safe to call more than once, and after a failed start. */
  async stop(): Promise<void> {
    await this.pg?.stop().catch((error) => console.error(`bench: could not stop PostgreSQL: ${error}`))
  }
}
