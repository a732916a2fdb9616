// HTTPS as Entra needs it: the binary serves TLS from PEM files given with --tls-cert/--tls-key.
import { expect, test } from 'bun:test'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort, spawnBinary } from '../helpers/process'

// openssl makes the throwaway certificate; it ships with Debian, but say so plainly if it is absent.
test.skipIf(!Bun.which('openssl'))('serves the SCIM API over HTTPS and prints an https Tenant URL', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'scim-tls-'))
  const cert = join(dir, 'cert.pem')
  const key = join(dir, 'key.pem')
  const made = Bun.spawnSync(['openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost'])
  expect(made.exitCode).toBe(0)
  const port = await freePort()
  const child = await spawnBinary(['--port', String(port), '--host', '127.0.0.1', '--db', ':memory:', '--token', 't', '--tls-cert', cert, '--tls-key', key])
  try {
    await child.waitFor('Tenant URL:')
    expect(child.output()).toContain(`Tenant URL:   https://127.0.0.1:${port}/scim/v2`)
    const res = await fetch(`https://127.0.0.1:${port}/scim/v2/Users?filter=userName+eq+%22x%22`, {
      headers: { authorization: 'Bearer t' },
      tls: { rejectUnauthorized: false },
    })
    expect(res.status).toBe(200)
    expect(((await res.json()) as { totalResults: number }).totalResults).toBe(0)
  } finally {
    child.proc.kill('SIGTERM')
    await child.proc.exited
  }
}, 30_000)
