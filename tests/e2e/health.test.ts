// Against the binary: `scim-server health --port N` is 0 while a server on N is ready, 1 once it is gone (the container's HEALTHCHECK).
import { expect, test } from 'bun:test'
import { ensureBinary, startBinary } from '../helpers/binary'

async function health(port: string): Promise<{ code: number; out: string }> {
  const proc = Bun.spawn([await ensureBinary(), 'health', '--port', port], { stdout: 'pipe', stderr: 'pipe' })
  const [out, code] = await Promise.all([new Response(proc.stdout).text(), proc.exited])
  return { code, out }
}

test('health: ready while the server serves, not ready once it stopped', async () => {
  const server = await startBinary()
  const port = new URL(server.baseUrl).port
  try {
    const ready = await health(port)
    expect(ready.code).toBe(0)
    expect(ready.out).toStartWith('ready: http://127.0.0.1:')
  } finally {
    await server.stop()
  }
  const gone = await health(port)
  expect(gone.code).toBe(1)
  expect(gone.out).toStartWith('not ready')
})
