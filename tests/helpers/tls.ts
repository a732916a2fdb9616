// A throwaway self-signed certificate for HTTPS tests; openssl ships with Debian, tests skip without it.
import { expect } from 'bun:test'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort, spawnBinary, type Child } from './process'

export const HAS_OPENSSL = Bun.which('openssl') !== null

/** Paths of a fresh PEM certificate for CN=localhost, valid one day, and its key. */
export function selfSignedCert(): { cert: string; key: string } {
  const dir = mkdtempSync(join(tmpdir(), 'scim-tls-'))
  const cert = join(dir, 'cert.pem')
  const key = join(dir, 'key.pem')
  const made = Bun.spawnSync([
    'openssl',
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    key,
    '-out',
    cert,
    '-days',
    '1',
    '-subj',
    '/CN=localhost',
  ])
  expect(made.exitCode).toBe(0)
  return { cert, key }
}

/** The binary serving HTTPS on a free loopback port with a fresh self-signed certificate and token `token`. */
export async function spawnTlsBinary(token: string): Promise<{ child: Child; port: number }> {
  const { cert, key } = selfSignedCert()
  const port = await freePort()
  const args = ['--port', String(port), '--host', '127.0.0.1', '--db', ':memory:', '--token', token]
  const child = await spawnBinary([...args, '--tls-cert', cert, '--tls-key', key])
  return { child, port }
}
