// Starts the compiled `scim-server` binary on a free port for end-to-end tests, building it
// once with `bun run build` when it is missing.
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import type { Client } from './lifecycle'

export const REPO_ROOT = resolve(import.meta.dir, '../..')
const BUILD_TIMEOUT_MS = 300_000
const START_TIMEOUT_MS = 30_000

export interface RunningBinary {
  /** Sends requests like Entra: bearer token, `application/scim+json; charset=utf-8` bodies. */
  client: Client
  baseUrl: string
  token: string
  /** Everything the process printed so far. */
  output(): string
  /** SIGTERM, then wait for exit (SIGKILL after 5 s). */
  stop(): Promise<void>
}

let build: Promise<string> | undefined

/** Path of the binary: `$SCIM_BIN`, else `./scim-server` at the repo root, built once if missing. */
export function ensureBinary(): Promise<string> {
  const bin = resolve(REPO_ROOT, process.env.SCIM_BIN ?? './scim-server')
  if (existsSync(bin)) return Promise.resolve(bin)
  build ??= (async () => {
    // scripts/build.ts writes ./scim-server unless told otherwise.
    const cmd = ['bun', 'run', 'build', '--outfile', bin]
    const proc = Bun.spawn(cmd, { cwd: REPO_ROOT, stdout: 'pipe', stderr: 'pipe' })
    const timer = setTimeout(() => proc.kill('SIGKILL'), BUILD_TIMEOUT_MS)
    const [out, err, code] = await Promise.all([
      new Response(proc.stdout).text(),
      new Response(proc.stderr).text(),
      proc.exited,
    ])
    clearTimeout(timer)
    if (code !== 0 || !existsSync(bin)) {
      throw new Error(`${cmd.join(' ')} failed (exit ${code}); ${bin} missing\n${out}\n${err}`)
    }
    return bin
  })()
  return build
}

async function freePort(): Promise<number> {
  const server = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => new Response('') })
  const port = server.port
  await server.stop(true)
  if (port === undefined) throw new Error('could not allocate a port')
  return port
}

/** Appends a stream's text to `sink` as it arrives. */
function drain(stream: ReadableStream<Uint8Array>, sink: { text: string }) {
  void (async () => {
    const decoder = new TextDecoder()
    for await (const chunk of stream) sink.text += decoder.decode(chunk, { stream: true })
  })()
}

function makeClient(baseUrl: string, token: string): Client {
  return (method, path, body, headers) => {
    const h: Record<string, string> = { authorization: `Bearer ${token}` }
    if (body !== undefined) h['content-type'] = 'application/scim+json; charset=utf-8'
    return fetch(`${baseUrl}${path}`, {
      method,
      headers: { ...h, ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
  }
}

/**
 * Runs `scim-server serve --port <free> --host 127.0.0.1 --db :memory: --token <random> ...args`
 * and resolves once it prints `Tenant URL:` or answers `/scim/v2/ServiceProviderConfig`.
 */
export async function startBinary(args: string[] = []): Promise<RunningBinary> {
  const bin = await ensureBinary()
  const port = await freePort()
  const token = `e2e-${crypto.randomUUID()}`
  const baseUrl = `http://127.0.0.1:${port}`
  const cmd = [
    bin,
    'serve',
    '--port',
    String(port),
    '--host',
    '127.0.0.1',
    '--db',
    ':memory:',
    '--token',
    token,
    ...args,
  ]
  const proc = Bun.spawn(cmd, { cwd: REPO_ROOT, stdout: 'pipe', stderr: 'pipe' })
  const out = { text: '' }
  drain(proc.stdout, out)
  drain(proc.stderr, out)
  let exited = false
  void proc.exited.then(() => (exited = true))
  const stop = async () => {
    if (!exited) proc.kill('SIGTERM')
    const killer = setTimeout(() => proc.kill('SIGKILL'), 5_000)
    await proc.exited
    clearTimeout(killer)
  }
  const client = makeClient(baseUrl, token)
  const deadline = Date.now() + START_TIMEOUT_MS
  while (!out.text.includes('Tenant URL:')) {
    if (exited) throw new Error(`${cmd.join(' ')} exited with ${proc.exitCode}:\n${out.text}`)
    if (Date.now() > deadline) {
      await stop()
      throw new Error(`${cmd.join(' ')} did not start within ${START_TIMEOUT_MS} ms:\n${out.text}`)
    }
    const ok = await client('GET', '/scim/v2/ServiceProviderConfig').then(
      (r) => r.status === 200,
      () => false
    )
    if (ok) break
    await Bun.sleep(100)
  }
  return { client, baseUrl, token, output: () => out.text, stop }
}
