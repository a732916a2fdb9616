// Smoke test of a built binary: start on a free port, Test Connection probe, create and delete, stop.
export {}
// Usage: bun run scripts/smoke.ts ./scim-server
const bin = process.argv[2] ?? './scim-server'
const token = 'smoke-token'
const port = 20000 + Math.floor(Math.random() * 20000)
const proc = Bun.spawn(
  [bin, 'serve', '--port', String(port), '--host', '127.0.0.1', '--db', ':memory:', '--token', token],
  { stdout: 'pipe', stderr: 'inherit' }
)
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
