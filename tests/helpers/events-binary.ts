// The compiled binary on a database file for the change-events tests: restartable, with SCIM
// and RFC 8936 poll requests, and the claims of the SETs it hands out.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'bun:test'
import { freePort, spawnBinary, type Child } from './process'

export const PROV = 'urn:ietf:params:scim:event:prov:'

export interface Claims {
  iss: string
  jti: string
  aud: string[]
  sub_id: { format: string; uri: string; id: string }
  events: Record<string, Record<string, unknown>>
}

export interface PollResponse {
  sets: Record<string, string>
  moreAvailable: boolean
}

export const decode = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString()) as Record<string, unknown>
export const claimsOf = (set: string) => decode(set.split('.')[1]!) as unknown as Claims
export const seqOf = (jti: string) => Number(jti.split('.')[0])

/** What each SET says, in the order received: `create /Users/<id>`, with extra events after a +. */
export const summary = (sets: Record<string, string>) =>
  Object.values(sets).map((set) => {
    const { events, sub_id } = claimsOf(set)
    const names = Object.keys(events)
      .map((uri) => uri.slice(PROV.length).replace(/:notice$/, ''))
      .sort((a, b) => Number(a.endsWith('activate')) - Number(b.endsWith('activate')))
    return `${names.join('+')} ${sub_id.uri}`
  })

/** `serve --db <file> --base-url <origin>/scim/v2` on a fixed port, so a restart keeps its URL. */
export class EventsBinary {
  server!: Child
  secret = ''
  /** Every SET handed out (poll, and what push tests add), for the signature and eventUris checks. */
  readonly seen: string[] = []

  private constructor(
    readonly db: string,
    readonly origin: string,
    private readonly port: number
  ) {}

  static async open(): Promise<EventsBinary> {
    const db = join(mkdtempSync(join(tmpdir(), 'scim-e2e-events-')), 'scim.db')
    const port = await freePort()
    const binary = new EventsBinary(db, `http://127.0.0.1:${port}`, port)
    await binary.start()
    const deadline = Date.now() + 10_000
    let match: RegExpExecArray | null = null
    while (!(match = /^Secret Token: (\S+)$/m.exec(binary.server.output())) && Date.now() < deadline)
      await Bun.sleep(25)
    binary.secret = match![1]!
    return binary
  }

  async start(): Promise<void> {
    const args = ['--host', '127.0.0.1', '--port', String(this.port), '--db', this.db]
    this.server = await spawnBinary(['serve', ...args, '--base-url', `${this.origin}/scim/v2`])
    await this.server.waitFor('Database:')
  }

  async stop(): Promise<void> {
    if (this.server.proc.exitCode === null) this.server.proc.kill('SIGTERM')
    await this.server.proc.exited
  }

  /** A request to the default tenant (or `prefix`'s) as Entra sends it. */
  scim(method: string, path: string, body?: unknown, token = this.secret, prefix = ''): Promise<Response> {
    const headers: Record<string, string> = { authorization: `Bearer ${token}` }
    if (body !== undefined) headers['content-type'] = 'application/scim+json; charset=utf-8'
    return fetch(`${this.origin}${prefix}/scim/v2${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    })
  }

  async created(path: string, body: unknown, prefix = '', token = this.secret): Promise<string> {
    const res = await this.scim('POST', path, body, token, prefix)
    expect(res.status).toBe(201)
    return ((await res.json()) as { id: string }).id
  }

  async poll(body: Record<string, unknown>, token = this.secret): Promise<PollResponse> {
    const res = await fetch(`${this.origin}/scim/v2/Events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
    expect(res.status).toBe(200)
    const out = (await res.json()) as PollResponse
    this.seen.push(...Object.values(out.sets))
    return out
  }

  /** A poll that answers at once. */
  now(body: Record<string, unknown> = {}): Promise<PollResponse> {
    return this.poll({ returnImmediately: true, maxEvents: 1000, ...body })
  }

  /** Acknowledges everything pending, so a test starts from an empty stream. */
  async drain(): Promise<void> {
    for (let ack: string[] = []; ; ) {
      const { sets } = await this.now({ ack })
      ack = Object.keys(sets)
      if (ack.length === 0) return
    }
  }
}
