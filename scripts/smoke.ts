// Smoke test of a built binary: start on a free port, Test Connection probe, create and delete, stop.
export {}
// Usage: bun run scripts/smoke.ts ./scim-server
const bin = process.argv[2] ?? './scim-server'
const token = 'smoke-token'
// Port 0: the kernel picks a free one and the server prints it. A random port in 20000–40000 could
// be one a client connection of the tests before held (the ephemeral range starts at 32768 here).
const proc = Bun.spawn([bin, 'serve', '--port', '0', '--host', '127.0.0.1', '--db', ':memory:', '--token', token], {
  stdout: 'pipe',
  stderr: 'inherit',
})
const port = await listeningPort()
const base = `http://127.0.0.1:${port}/scim/v2`
const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json; charset=utf-8' }

function check(ok: boolean, what: string): void {
  if (!ok) {
    console.error(`smoke: FAILED ${what}`)
    proc.kill()
    process.exit(1)
  }
  console.log(`smoke: ok ${what}`)
}

/** The port from the server's first line, `scim-server … listening on http://127.0.0.1:PORT`. */
async function listeningPort(): Promise<number> {
  const reader = (proc.stdout as ReadableStream<Uint8Array>).getReader()
  const decoder = new TextDecoder()
  let text = ''
  const deadline = Date.now() + 10_000
  while (Date.now() < deadline) {
    const { value, done } = await reader.read()
    if (done) break
    text += decoder.decode(value, { stream: true })
    const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(text)
    if (m) {
      reader.releaseLock()
      return Number(m[1])
    }
  }
  console.error(`smoke: FAILED the server printed no port:\n${text}`)
  proc.kill()
  process.exit(1)
}

async function waitUp(): Promise<void> {
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) return
    } catch {}
    await Bun.sleep(100)
  }
  check(false, 'server came up within 10 s')
}

await waitUp()
const probe = await fetch(`${base}/Users?filter=userName+eq+%22${crypto.randomUUID()}%22`, { headers })
const list = (await probe.json()) as { totalResults: number; Resources: unknown[] }
check(
  probe.status === 200 && list.totalResults === 0 && list.Resources.length === 0,
  'Test Connection probe → 200 empty ListResponse'
)
check(
  (await fetch(`${base}/Users`, { headers: { authorization: 'Bearer wrong' } })).status === 401,
  'wrong token → 401'
)
const created = await fetch(`${base}/Users`, {
  method: 'POST',
  headers,
  body: JSON.stringify({
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    userName: 'smoke@example.com',
    active: true,
  }),
})
const user = (await created.json()) as { id: string }
check(created.status === 201 && typeof user.id === 'string', 'POST /Users → 201')
check(
  (await fetch(`${base}/Users/${user.id}`, { method: 'DELETE', headers })).status === 204,
  'DELETE /Users/{id} → 204'
)
check((await fetch(`${base}/Users/${user.id}`, { headers })).status === 404, 'GET deleted user → 404')
proc.kill('SIGTERM')
check((await proc.exited) === 0, 'SIGTERM → clean exit 0')
console.log('smoke: all checks passed')
