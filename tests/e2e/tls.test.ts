// HTTPS as Entra needs it: the binary serves TLS from PEM files given with --tls-cert/--tls-key.
import { expect, test } from 'bun:test'
import { HAS_OPENSSL, spawnTlsBinary } from '../helpers/tls'

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
