// The compiled binary's selftest against its own serve: over http, over https, with a wrong token.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { startBinary, type RunningBinary } from '../helpers/binary'
import { runBinary } from '../helpers/process'
import { HAS_OPENSSL, spawnTlsBinary } from '../helpers/tls'

const TIMEOUT = 60_000

/** The check lines the selftest printed: `PASS  name — reason`. */
function checkLines(output: string): { status: string; line: string }[] {
  return output
    .split('\n')
    .filter((l) => /^(PASS|WARN|FAIL|SKIP) {2}/.test(l))
    .map((line) => ({ status: line.slice(0, 4), line }))
}

async function total(server: RunningBinary, path: string): Promise<number> {
  return ((await (await server.client('GET', path)).json()) as { totalResults: number }).totalResults
}

describe('selftest (compiled binary)', () => {
  let server: RunningBinary

  beforeAll(async () => {
    server = await startBinary()
  }, 360_000)

  afterAll(async () => {
    await server?.stop()
  })

  test(
    'every check passes against serve, exit 0, and nothing is left behind',
    async () => {
      const { code, output } = await runBinary([
        'selftest',
        '--url',
        `${server.baseUrl}/scim/v2`,
        '--token',
        server.token,
      ])
      const lines = checkLines(output)
      expect(lines.length, output).toBeGreaterThan(30)
      expect(
        lines.filter((l) => l.status !== 'PASS').map((l) => l.line),
        output
      ).toEqual([
        expect.stringMatching(/^WARN {2}connection: TLS — the URL is http:\/\/: Entra provisions only over https/),
      ])
      expect(output).toContain('PASS  clean-up: nothing left behind — every check removed what it created')
      expect(output).toMatch(/selftest: \d+ passed, 1 warnings, 0 failed, 0 not run/)
      expect(code, output).toBe(0)
      expect(await total(server, '/scim/v2/Users')).toBe(0)
      expect(await total(server, '/scim/v2/Groups')).toBe(0)
    },
    TIMEOUT
  )

  test(
    'a wrong token fails with the reason and exits 1',
    async () => {
      const { code, output } = await runBinary([
        'selftest',
        '--url',
        `${server.baseUrl}/scim/v2`,
        '--token',
        'not-the-token',
      ])
      expect(output).toMatch(
        /FAIL {2}connection: Test Connection \(Users\) — GET \/Users\?filter=\S+ answered 401 .*the token given with --token is not accepted/
      )
      expect(code).toBe(1)
    },
    TIMEOUT
  )

  test(
    'no --url is a usage error (exit 2)',
    async () => {
      const { code, output } = await runBinary(['selftest', '--token', 't'])
      expect(output).toContain('selftest needs --url')
      expect(code).toBe(2)
    },
    TIMEOUT
  )
})

// openssl makes the throwaway certificate, as in tls.test.ts.
test.skipIf(!HAS_OPENSSL)(
  'over https: a self-signed certificate fails TLS, --insecure turns it into a warning',
  async () => {
    const { child, port } = await spawnTlsBinary('t')
    try {
      await child.waitFor('Tenant URL:')
      const url = `https://127.0.0.1:${port}/scim/v2`
      const strict = await runBinary(['selftest', '--url', url, '--token', 't'])
      expect(strict.output).toMatch(
        /FAIL {2}connection: TLS — GET \/ServiceProviderConfig: TLS failed: .*publicly trusted CA/
      )
      expect(strict.code).toBe(1)
      const insecure = await runBinary(['selftest', '--url', url, '--token', 't', '--insecure'])
      expect(
        checkLines(insecure.output)
          .filter((l) => l.status !== 'PASS')
          .map((l) => l.line),
        insecure.output
      ).toEqual([
        // The throwaway certificate is valid one day: the check names its end as well.
        expect.stringMatching(
          /^WARN {2}connection: TLS — https answered, but --insecure skipped certificate verification.*; the TLS certificate expires on \d{4}-\d\d-\d\d \(in 0 days\)/
        ),
      ])
      expect(insecure.code).toBe(0)
    } finally {
      child.proc.kill('SIGTERM')
      await child.proc.exited
    }
  },
  TIMEOUT
)
