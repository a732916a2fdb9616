// HTTPS as Entra needs it: the binary serves TLS from PEM files given with --tls-cert/--tls-key.
import { expect, test } from 'bun:test'
import { copyFileSync, writeFileSync } from 'node:fs'
import { freePort, loopbackArgs, runBinary } from '../helpers/process'
import { HAS_OPENSSL, peerCommonName, selfSignedCert, spawnTlsBinary } from '../helpers/tls'

const DAY = 86_400_000

// openssl makes the throwaway certificate; it ships with Debian, but say so plainly if it is absent.
test.skipIf(!HAS_OPENSSL)(
  'serves the SCIM API over HTTPS and prints an https Tenant URL',
  async () => {
    const { child, port } = await spawnTlsBinary('t')
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
  },
  30_000
)

test.skipIf(!HAS_OPENSSL)(
  "a key of another certificate refuses the start in one line naming the files, not 'cannot listen'",
  async () => {
    const [a, b] = [selfSignedCert('start-a'), selfSignedCert('start-b')]
    const port = await freePort()
    const { code, output } = await runBinary([...loopbackArgs(port), '--tls-cert', a.cert, '--tls-key', b.key])
    expect(code).toBe(1)
    expect(output).toContain(`--tls-key ${b.key} is not the key of the certificate in --tls-cert ${a.cert}`)
    expect(output).not.toContain('cannot listen')
  },
  30_000
)

/**
 * Resolves once new connections get the certificate named `name`; rejects after `ms`. A connection
 * the replaced listener had queued but not taken when it closed is reset (README), so one may fail.
 */
async function servesCertificate(port: number, name: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms
  let seen = ''
  while ((seen = await peerCommonName(port).catch((err: Error) => err.message)) !== name) {
    if (Date.now() > deadline) throw new Error(`still ${seen}, not ${name}`)
    await Bun.sleep(50)
  }
}

// Certificates from a public CA last 90 days or less: a renewal (certbot's deploy hook,
// `systemctl reload`) must not need a restart, and a broken renewal must not take HTTPS down.
test.skipIf(!HAS_OPENSSL)(
  'SIGHUP reads the certificate files again: new connections get the new one; a bad pair keeps the old',
  async () => {
    const metricsPort = await freePort()
    const { child, port, cert, key } = await spawnTlsBinary('t', undefined, ['--metrics-listen', String(metricsPort)])
    const expiry = async () => {
      const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text()
      return Number(/^scim_tls_certificate_expiry_timestamp_seconds (\S+)$/m.exec(text)?.[1]) * 1000
    }
    const get = () =>
      fetch(`https://127.0.0.1:${port}/scim/v2/Users`, {
        headers: { authorization: 'Bearer t' },
        tls: { rejectUnauthorized: false },
      })
    try {
      await child.waitFor('Tenant URL:')
      expect(await peerCommonName(port)).toBe('localhost')
      // The first certificate is valid one day: the start says so, and the gauge shows its end.
      await child.waitFor('the TLS certificate expires on')
      expect(Math.abs((await expiry()) - (Date.now() + DAY))).toBeLessThan(60_000)
      const renewed = selfSignedCert('renewed.example', 90)
      copyFileSync(renewed.cert, cert)
      copyFileSync(renewed.key, key)
      child.proc.kill('SIGHUP')
      await servesCertificate(port, 'renewed.example')
      await child.waitFor('certificate reloaded')
      expect((await get()).status).toBe(200)
      expect(Math.abs((await expiry()) - (Date.now() + 90 * DAY))).toBeLessThan(60_000)
      // A key that does not belong to the certificate: the server says so and keeps serving the last good pair.
      copyFileSync(selfSignedCert('other').key, key)
      child.proc.kill('SIGHUP')
      await child.waitFor('certificate not reloaded')
      expect(await peerCommonName(port)).toBe('renewed.example')
      writeFileSync(cert, 'not a certificate')
      child.proc.kill('SIGHUP')
      await child.waitFor('certificate not reloaded', 10_000)
      expect(await peerCommonName(port)).toBe('renewed.example')
      expect((await get()).status).toBe(200)
      expect(child.proc.exitCode).toBeNull()
    } finally {
      child.proc.kill('SIGTERM')
      await child.proc.exited
    }
  },
  60_000
)

// The listener shares its port with its own replacement during a reload (SO_REUSEPORT); a second
// server started on the same port by mistake must still fail rather than take half the connections.
test.skipIf(!HAS_OPENSSL)(
  'a second server on the port of a running HTTPS server fails to start',
  async () => {
    const first = await spawnTlsBinary('t')
    try {
      await first.child.waitFor('Tenant URL:')
      const second = await spawnTlsBinary('u', first.port)
      expect(await second.child.proc.exited).not.toBe(0)
      expect(second.child.output()).toContain('cannot listen')
      expect(await peerCommonName(first.port)).toBe('localhost')
    } finally {
      first.child.proc.kill('SIGTERM')
      await first.child.proc.exited
    }
  },
  30_000
)
