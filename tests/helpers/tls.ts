// A throwaway self-signed certificate for HTTPS tests; openssl ships with Debian, tests skip without it.
import { expect } from 'bun:test'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { connect } from 'node:tls'
import { join } from 'node:path'
import { freePort, spawnBinary, type Child } from './process'

export const HAS_OPENSSL = Bun.which('openssl') !== null

/** Paths of a fresh PEM certificate for CN=`commonName`, valid `days`, and its key. */
export function selfSignedCert(commonName = 'localhost', days = 1): { cert: string; key: string } {
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
    String(days),
    '-subj',
    `/CN=${commonName}`,
  ])
  expect(made.exitCode).toBe(0)
  return { cert, key }
}

/** The binary serving HTTPS on a free loopback port with a fresh self-signed certificate and token `token`. */
export async function spawnTlsBinary(
  token: string,
  port?: number,
  extra: string[] = []
): Promise<{ child: Child; port: number; cert: string; key: string }> {
  const { cert, key } = selfSignedCert()
  port ??= await freePort()
  const args = ['--port', String(port), '--host', '127.0.0.1', '--db', ':memory:', '--token', token, ...extra]
  const child = await spawnBinary([...args, '--tls-cert', cert, '--tls-key', key])
  return { child, port, cert, key }
}

/** The common name of the certificate a new TLS connection to the port is given. */
export function peerCommonName(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      const name = socket.getPeerCertificate().subject?.CN
      socket.end()
      resolve(String(name))
    })
    socket.on('error', reject)
  })
}
