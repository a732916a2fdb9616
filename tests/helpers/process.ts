// Runs the compiled binary as a child process for CLI and crash tests, with its output captured.
import { ensureBinary, REPO_ROOT } from './binary'

export interface Child {
  proc: ReturnType<typeof Bun.spawn>
  output(): string
  /** Resolves once the output contains `text`; rejects if the process exits first or time runs out. */
  waitFor(text: string, ms?: number): Promise<void>
}

export async function spawnBinary(args: string[], env: Record<string, string> = {}): Promise<Child> {
  const bin = await ensureBinary()
  const proc = Bun.spawn([bin, ...args], {
    cwd: REPO_ROOT,
    stdout: 'pipe',
    stderr: 'pipe',
    env: { ...process.env, ...env },
  })
  const out = { text: '' }
  for (const stream of [proc.stdout, proc.stderr]) {
    void (async () => {
      const decoder = new TextDecoder()
      for await (const chunk of stream as ReadableStream<Uint8Array>)
        out.text += decoder.decode(chunk, { stream: true })
    })()
  }
  return {
    proc,
    output: () => out.text,
    async waitFor(text, ms = 15_000) {
      const deadline = Date.now() + ms
      while (!out.text.includes(text)) {
        if (proc.exitCode !== null)
          throw new Error(`exited with ${proc.exitCode} before printing '${text}':\n${out.text}`)
        if (Date.now() > deadline) throw new Error(`no '${text}' within ${ms} ms:\n${out.text}`)
        await Bun.sleep(25)
      }
    },
  }
}

/** Runs the binary to completion and returns its exit code and everything it printed. */
export async function runBinary(args: string[]): Promise<{ code: number; output: string }> {
  const child = await spawnBinary(args)
  const code = await child.proc.exited
  await Bun.sleep(20)
  return { code, output: child.output() }
}

export async function freePort(): Promise<number> {
  const server = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => new Response('') })
  const port = server.port!
  await server.stop(true)
  return port
}

/** The flags of a server on 127.0.0.1 at `port` over `db` (an in-memory database unless given). */
export function loopbackArgs(port: number, db = ':memory:'): string[] {
  return ['--port', String(port), '--host', '127.0.0.1', '--db', db]
}
