// The bench's phases for one seeded size: seed, read scenarios + read baseline, write scenarios +
// write baseline, member-add scenarios. Only one server at a time is loaded (the read phase keeps its
// baseline up beside the SCIM server, idle while the other is measured).
import { loadavg } from 'node:os'
import type { BenchOptions } from './config'
import { assertAlive, drain, freshPort, rssMb, startServer, stopServer, type Server, serveArgs } from './proc'
import { call, createGroups, patchMembers, patchMembersMany, seedUsers, userName, writeList, type Api } from './seed'
import { runWrk, type WrkResult } from './wrk'
import { openBaselineDb } from './baseline-server'

/** `nojournal`: the same binary with SCIM_JOURNAL=off, so the journal's cost is a ratio of one run. */
export type Target = 'scim' | 'baseline' | 'nojournal'

export interface Measurement {
  scenario: string
  size: number
  round: number
  target: Target
  dbUsers: number
  loadavg: number[] // 1/5/15-minute load just after the run: other work on the box shows here
  result: WrkResult
  /** A baseline run made beside one SCIM scenario of the same round, whose ratio it is the divisor of. */
  pair?: string
}

export interface SizeState {
  size: number
  dir: string
  ids: string[] // ids of u0…u<size-1>
  usersInDb: number
  rss: { round: number; mb: number }[]
  baselineRss: { round: number; mb: number }[]
  /** The lookup cache's counters after each round's read runs (only filter-eq uses the cache). */
  lookupCache: { round: number; hits: number; misses: number }[]
  seedRate: number
  extraSeedRate?: number
}

export interface Recorder {
  measurements: Measurement[]
  anomalies: string[]
}

/** One read scenario: the GET path template and where its "{}" values come from. */
interface ReadScenario {
  id: string
  path: string
  list?: 'names' | 'ids'
  randMax?: number
}

export const READ_SCENARIOS: ReadScenario[] = [
  { id: 'read.filter-eq', path: '/scim/v2/Users?filter=userName+eq+%22{}%22', list: 'names' },
  { id: 'read.get-id', path: '/scim/v2/Users/{}', list: 'ids' },
  {
    id: 'read.compound',
    path: '/scim/v2/Users?filter=userName+sw+%22u12%22+and+active+eq+true+and+emails%5Btype+eq+%22work%22%5D',
  },
  { id: 'read.paged', path: '/scim/v2/Users?startIndex={}&count=50', randMax: 1000 },
]

/** A probe's check of a filter that names one seeded user: 200 with exactly that user. */
export function onlyUser(id: string) {
  return (s: number, j: { totalResults?: number; Resources?: { id?: string }[] } | undefined): string | null =>
    s !== 200
      ? 'status'
      : j?.totalResults !== 1 || j?.Resources?.[0]?.id !== id
        ? 'expected exactly the seeded user'
        : null
}

export class SizeRun {
  private scim: Server | null = null
  private metricsPort = 0

  constructor(
    private readonly o: BenchOptions,
    private readonly rec: Recorder,
    readonly st: SizeState
  ) {}

  private api(server: Server): Api {
    return { base: `http://127.0.0.1:${server.port}/scim/v2`, token: this.o.token }
  }

  private log(message: string): void {
    console.log(`[${this.st.size.toLocaleString('en')}] ${message}`)
  }

  private anomaly(message: string): void {
    const line = `size ${this.st.size}: ${message}`
    this.rec.anomalies.push(line)
    console.log(`  ! ${line}`)
  }

  async startScim(journal = true): Promise<Server> {
    if (this.scim && this.scim.proc.exitCode === null) return this.scim
    const port = freshPort()
    // /metrics on the API port wants a metrics-scope token; the --token given here provisions.
    this.metricsPort = freshPort()
    this.scim = await startServer({
      name: `scim-${this.st.size}${journal ? '' : '-nojournal'}`,
      port,
      core: this.o.serverCore,
      tmp: this.o.tmp,
      env: journal ? {} : { SCIM_JOURNAL: 'off' },
      cmd: [
        ...serveArgs(this.o.bin, port, `${this.st.dir}/bench.db`),
        '--token',
        this.o.token,
        '--durability',
        'full',
        '--metrics-listen',
        String(this.metricsPort),
      ],
    })
    return this.scim
  }

  async stopScim(): Promise<void> {
    if (!this.scim) return
    const code = await stopServer(this.scim)
    if (code !== 0) this.anomaly(`scim-server exited with ${code} on SIGTERM (log ${this.scim.logPath})`)
    this.scim = null
  }

  private async startBaseline(mode: 'read' | 'write'): Promise<Server> {
    const port = freshPort()
    return startServer({
      name: `baseline-${mode}-${this.st.size}`,
      port,
      core: this.o.serverCore,
      tmp: this.o.tmp,
      cmd: [
        process.execPath,
        'run',
        `${this.o.libDir}/baseline-server.ts`,
        '--mode',
        mode,
        '--port',
        String(port),
        '--db',
        `${this.st.dir}/baseline.db`,
        '--token',
        this.o.token,
      ],
    })
  }

  /** Seeds `size` users through the SCIM API, writing the lists the wrk scripts read. */
  async seed(): Promise<void> {
    const scim = await this.startScim()
    this.log(`seeding ${this.st.size.toLocaleString('en')} users over HTTP (${this.o.concurrency} in flight)`)
    const baseline = openBaselineDb(`${this.st.dir}/baseline.db`)
    const { ids, rate } = await seedUsers(this.api(scim), 0, this.st.size, {
      concurrency: this.o.concurrency,
      baseline,
    })
    baseline.close()
    this.st.ids = ids
    this.st.usersInDb = this.st.size
    this.st.seedRate = rate
    writeList(`${this.st.dir}/ids.txt`, ids)
    writeList(
      `${this.st.dir}/names.txt`,
      ids.map((_, i) => encodeURIComponent(userName(i)))
    )
  }

  /** One warm-up and one measured wrk run, recorded (also driven by pg-phases.ts). */
  async measure(
    scenario: string,
    target: Target,
    server: Server,
    script: string,
    env: Record<string, string>,
    round: number,
    pair?: string
  ): Promise<WrkResult> {
    const run = (seconds: number) =>
      runWrk({
        url: `http://127.0.0.1:${server.port}`,
        script,
        seconds,
        connections: this.o.connections,
        core: this.o.loadCore,
        libDir: this.o.libDir,
        pidFile: `${this.o.tmp}/pids`,
        env: { BENCH_TOKEN: this.o.token, BENCH_SEED: String(Math.floor(Math.random() * 1e9)), ...env },
      })
    const warm = await run(this.o.warmupSeconds)
    if (warm.non2xx > 0) this.anomaly(`${scenario} (${target}) warm-up: ${warm.non2xx} non-2xx of ${warm.requests}`)
    await this.settle(server, `${scenario} warm-up`)
    const result = await run(this.o.seconds)
    assertAlive(server)
    await this.settle(server, scenario)
    this.record(scenario, target, round, result, pair)
    return result
  }

  /** Lets queued requests finish so they do not spill into the next measurement. */
  private async settle(server: Server, after: string): Promise<void> {
    const secs = await drain(server)
    if (secs > 1)
      this.log(`  (${server.name} needed ${secs.toFixed(1)} s to work off requests left in flight after ${after})`)
  }

  private record(scenario: string, target: Target, round: number, result: WrkResult, pair?: string): void {
    this.rec.measurements.push({
      scenario,
      size: this.st.size,
      round,
      target,
      dbUsers: this.st.usersInDb,
      loadavg: loadavg(),
      result,
      ...(pair ? { pair } : {}),
    })
    const errs = result.socketErrors
    const sock = errs.connect + errs.read + errs.write + errs.timeout
    this.log(
      `${scenario.padEnd(22)} ${target.padEnd(8)} r${round} ${Math.round(result.rps).toString().padStart(7)} req/s  p50 ${result.p50Ms.toFixed(2)} ms  p99 ${result.p99Ms.toFixed(2)} ms${result.non2xx ? `  non-2xx ${result.non2xx}` : ''}${sock ? `  socket errors ${JSON.stringify(errs)}` : ''}`
    )
    if (result.non2xx > 0)
      this.anomaly(`${scenario} (${target}) round ${round}: ${result.non2xx} non-2xx of ${result.requests} responses`)
    if (sock > 0) this.anomaly(`${scenario} (${target}) round ${round}: socket errors ${JSON.stringify(errs)}`)
  }

  /** One request of a scenario before load, to catch a wrong answer that wrk would not see. */
  async probe(
    server: Server,
    label: string,
    method: string,
    path: string,
    body: string | undefined,
    // biome-ignore lint/suspicious/noExplicitAny: each check reads the JSON answer of its own endpoint
    check: (status: number, json: any) => string | null
  ): Promise<void> {
    const res = await fetch(`http://127.0.0.1:${server.port}${path}`, {
      method,
      body,
      headers: { authorization: `Bearer ${this.o.token}`, 'content-type': 'application/scim+json; charset=utf-8' },
    })
    const text = await res.text()
    let json: unknown = null
    try {
      json = text ? JSON.parse(text) : null
    } catch {}
    const problem = check(res.status, json)
    if (problem)
      this.anomaly(`probe ${label}: ${method} ${path} → ${res.status}: ${problem}; body ${text.slice(0, 200)}`)
  }

  private async probeReads(server: Server, target: Target): Promise<void> {
    const i = Math.floor(this.st.size / 2)
    const name = encodeURIComponent(userName(i))
    await this.probe(
      server,
      `${target} filter-eq`,
      'GET',
      `/scim/v2/Users?filter=userName+eq+%22${name}%22`,
      undefined,
      onlyUser(this.st.ids[i]!)
    )
    if (target === 'baseline') return
    await this.probe(server, 'get-id', 'GET', `/scim/v2/Users/${this.st.ids[i]}`, undefined, (s, j) =>
      s !== 200 ? 'status' : j?.userName !== userName(i) ? 'wrong user' : null
    )
    await this.probe(server, 'compound', 'GET', READ_SCENARIOS[2]!.path, undefined, (s, j) =>
      s !== 200 ? 'status' : !(j?.totalResults > 0) ? 'no results' : null
    )
    await this.probe(server, 'paged', 'GET', '/scim/v2/Users?startIndex=1000&count=50', undefined, (s, j) =>
      s !== 200 ? 'status' : j?.Resources?.length !== 50 ? `expected 50 resources, got ${j?.Resources?.length}` : null
    )
  }

  /** Hits and misses of the server's lookup cache since it started, from GET /metrics on --metrics-listen. */
  private async lookupCacheCounters(_server: Server): Promise<{ hits: number; misses: number }> {
    const res = await fetch(`http://127.0.0.1:${this.metricsPort}/metrics`)
    const text = await res.text()
    const counter = (name: string) => Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1] ?? NaN)
    return { hits: counter('scim_lookup_cache_hits_total'), misses: counter('scim_lookup_cache_misses_total') }
  }

  /**
   * Read scenarios 1–4 on the SCIM server, each beside a run of the read baseline, `rounds` times.
   * Both servers are up through a round, only one of them loaded at a time: the bare server's rate
   * swung 31k–55k req/s within one run, more than the gaps the ratios judge, so each scenario gets
   * a baseline run of its own right before or after it (the order alternating), and its ratio is
   * taken against that one.
   */
  async readPhase(): Promise<void> {
    for (let round = 1; round <= this.o.rounds; round++) {
      const scim = await this.startScim()
      await this.probeReads(scim, 'scim')
      const base = await this.startBaseline('read')
      await this.probeReads(base, 'baseline')
      for (const [i, sc] of READ_SCENARIOS.entries()) {
        const env: Record<string, string> = { BENCH_PATH: sc.path }
        if (sc.list) env.BENCH_LIST = `${this.st.dir}/${sc.list}.txt`
        if (sc.randMax) env.BENCH_RANDMAX = String(sc.randMax)
        const baselineFirst = (round + i) % 2 === 0
        if (baselineFirst) await this.baselineRead(base, round, sc.id)
        await this.measure(sc.id, 'scim', scim, 'read.lua', env, round)
        if (!baselineFirst) await this.baselineRead(base, round, sc.id)
      }
      const mb = rssMb(scim.pid)
      this.st.rss.push({ round, mb })
      this.log(`scim-server VmRSS after the read runs: ${mb.toFixed(1)} MB`)
      const cache = await this.lookupCacheCounters(scim)
      this.st.lookupCache.push({ round, ...cache })
      this.log(`lookup cache after the read runs: ${cache.hits} hits, ${cache.misses} misses (${hitRatio(cache)})`)
      this.st.baselineRss.push({ round, mb: rssMb(base.pid) })
      await stopServer(base)
      await this.stopScim()
    }
  }

  /** The read baseline's filter read, paired with the SCIM scenario `pair` it runs beside. */
  private baselineRead(base: Server, round: number, pair: string): Promise<WrkResult> {
    const env = { BENCH_PATH: READ_SCENARIOS[0]!.path, BENCH_LIST: `${this.st.dir}/names.txt` }
    return this.measure('read.filter-eq', 'baseline', base, 'read.lua', env, round, pair)
  }

  /** Scenarios 5 and 6 on one server: durable POST /Users, then Entra's user PATCH. */
  private async postAndPatch(scim: Server, target: Target, round: number): Promise<void> {
    const prefix = () => `w${Math.random().toString(36).slice(2, 8)}`
    await this.probe(
      scim,
      'post',
      'POST',
      '/scim/v2/Users',
      JSON.stringify({
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
        userName: `${prefix()}@example.com`,
      }),
      (s, j) => (s !== 201 ? 'status' : typeof j?.id !== 'string' ? 'no id' : null)
    )
    const post = await this.measure(
      'write.post',
      target,
      scim,
      'post-user.lua',
      { BENCH_PATH: '/scim/v2/Users', BENCH_PREFIX: prefix() },
      round
    )
    this.st.usersInDb += post.requests
    const id = this.st.ids[Math.floor(this.st.size / 3)]!
    const patchBody = JSON.stringify({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [
        { op: 'Replace', path: 'active', value: 'False' },
        { op: 'Replace', path: 'name.familyName', value: 'X' },
      ],
    })
    await this.probe(scim, 'patch-user', 'PATCH', `/scim/v2/Users/${id}`, patchBody, (s, j) =>
      s !== 200 ? 'status' : j?.active !== false || j?.name?.familyName !== 'X' ? 'patch not applied' : null
    )
    await this.measure(
      'write.patch-user',
      target,
      scim,
      'patch-user.lua',
      { BENCH_LIST: `${this.st.dir}/ids.txt` },
      round
    )
  }

  /**
   * Scenarios 5 (POST vs the write baseline) and 6 (Entra-style user PATCH), each also on the
   * same binary with the journal off, in the same round: journal on ÷ off is the journal's cost.
   * The order of the two alternates by round, so drift during a round favours neither.
   */
  async writePhase(): Promise<void> {
    for (let round = 1; round <= this.o.rounds; round++) {
      for (const journal of round % 2 === 1 ? [true, false] : [false, true]) {
        const scim = await this.startScim(journal)
        await this.postAndPatch(scim, journal ? 'scim' : 'nojournal', round)
        await this.stopScim()
      }

      const base = await this.startBaseline('write')
      await this.measure(
        'write.post',
        'baseline',
        base,
        'post-user.lua',
        { BENCH_PATH: '/scim/v2/Users', BENCH_PREFIX: `w${Math.random().toString(36).slice(2, 8)}` },
        round
      )
      await stopServer(base)
    }
  }

  /**
   * Scenarios 7 and 8: one fresh member per PATCH into groups of 100 (K of them, round-robin, so
   * each grows only by requests/K) and into one group of 100,000. After every wrk run the added
   * members are removed again, so each run starts from the same group sizes and pool.
   */
  async memberPhase(): Promise<void> {
    const o = this.o
    const scim = await this.startScim()
    const api = this.api(scim)
    const needed = o.bigGroupSize + o.poolSize
    let all = this.st.ids
    if (all.length < needed) {
      const extra = needed - all.length
      this.log(
        `seeding ${extra.toLocaleString('en')} extra users for the group scenarios (100k members + ${o.poolSize.toLocaleString('en')} spare)`
      )
      const from = this.st.size + 10_000_000 // distinct names from the base users
      const more = await seedUsers(api, from, extra, { concurrency: o.concurrency })
      this.st.extraSeedRate = more.rate
      this.st.usersInDb += extra
      all = all.concat(more.ids)
    }
    const members = all.slice(0, o.bigGroupSize)
    const pool = all.slice(o.bigGroupSize, needed)
    writeList(`${this.st.dir}/pool.txt`, pool)

    this.log(
      `creating ${o.smallGroups} groups of ${o.smallGroupSize} and 1 group of ${o.bigGroupSize.toLocaleString('en')}`
    )
    const small = await createGroups(api, `bench-g${o.smallGroupSize}`, o.smallGroups, o.concurrency)
    await patchMembersMany(
      api,
      'Add',
      small.map((groupId, g) => ({
        groupId,
        userIds: members.slice(
          (g * o.smallGroupSize) % members.length,
          ((g * o.smallGroupSize) % members.length) + o.smallGroupSize
        ),
      })),
      o.concurrency
    )
    const [big] = await createGroups(api, `bench-g${o.bigGroupSize}`, 1, 1)
    await patchMembersMany(api, 'Add', [{ groupId: big!, userIds: members }], 4)
    writeList(`${this.st.dir}/groups-small.txt`, small)
    writeList(`${this.st.dir}/groups-big.txt`, [big!])
    await this.checkGroupSize(scim, big!, o.bigGroupSize, 'after seeding')

    for (let round = 1; round <= o.rounds; round++) {
      for (const [scenario, groups] of [
        ['write.member-add-100', small],
        ['write.member-add-100k', [big!]],
      ] as const) {
        const file = `${this.st.dir}/${groups.length > 1 ? 'groups-small' : 'groups-big'}.txt`
        const probeUser = pool[pool.length - 1]!
        await this.probe(
          scim,
          scenario,
          'PATCH',
          `/scim/v2/Groups/${groups[0]}`,
          JSON.stringify({
            schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
            Operations: [{ op: 'Add', path: 'members', value: [{ value: probeUser }] }],
          }),
          (s) => (s !== 204 && s !== 200 ? 'status' : null)
        )
        await this.probe(scim, `${scenario} took effect`, 'GET', `/scim/v2/Users/${probeUser}`, undefined, (s, j) =>
          s !== 200
            ? 'status'
            : !(j?.groups ?? []).some((g: { value: string }) => g.value === groups[0])
              ? 'the user does not list the group in `groups`'
              : null
        )
        await patchMembers(api, 'Remove', groups[0]!, [probeUser])
        await this.memberRun(scim, scenario, file, groups, pool, round, true)
        await this.memberRun(scim, scenario, file, groups, pool, round, false)
      }
    }
    await this.checkGroupSize(scim, big!, o.bigGroupSize, 'after the runs and clean-ups')
    await this.stopScim()
  }

  private async memberRun(
    scim: Server,
    scenario: string,
    file: string,
    groups: readonly string[],
    pool: string[],
    round: number,
    warm: boolean
  ): Promise<void> {
    const run = await runWrk({
      url: `http://127.0.0.1:${scim.port}`,
      script: 'member-add.lua',
      seconds: warm ? this.o.warmupSeconds : this.o.seconds,
      connections: this.o.connections,
      core: this.o.loadCore,
      libDir: this.o.libDir,
      pidFile: `${this.o.tmp}/pids`,
      env: { BENCH_TOKEN: this.o.token, BENCH_GROUPS: file, BENCH_LIST: `${this.st.dir}/pool.txt`, BENCH_START: '0' },
    })
    assertAlive(scim)
    await this.settle(scim, scenario)
    if (!warm) this.record(scenario, 'scim', round, run)
    else if (run.non2xx) this.anomaly(`${scenario} warm-up: ${run.non2xx} non-2xx of ${run.requests}`)
    if (run.wrapped)
      this.anomaly(
        `${scenario} round ${round}${warm ? ' warm-up' : ''}: ${run.sent} requests used up the pool of ${pool.length} spare users; later adds were re-adds`
      )
    // Request k added pool[k mod P] to groups[k mod K]; take every one of them out again.
    const byGroup = new Map<string, Set<string>>()
    for (let k = 0; k < run.sent; k++) {
      const g = groups[k % groups.length]!
      if (!byGroup.has(g)) byGroup.set(g, new Set())
      byGroup.get(g)!.add(pool[k % pool.length]!)
    }
    await patchMembersMany(
      this.api(scim),
      'Remove',
      [...byGroup].map(([groupId, ids]) => ({ groupId, userIds: [...ids] })),
      8
    )
  }

  private async checkGroupSize(scim: Server, groupId: string, expected: number, when: string): Promise<void> {
    const { text } = await call(this.api(scim), 'GET', `/Groups/${groupId}?attributes=members`)
    const got = ((JSON.parse(text) as { members?: unknown[] }).members ?? []).length
    if (got !== expected) this.anomaly(`group of ${expected} has ${got} members ${when}`)
    else this.log(`group check ${when}: ${got.toLocaleString('en')} members`)
  }
}

export function hitRatio(c: { hits: number; misses: number }): string {
  return `${((100 * c.hits) / Math.max(1, c.hits + c.misses)).toFixed(1)}% hits`
}
