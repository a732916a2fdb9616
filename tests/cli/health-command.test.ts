// `scim-server health`: /readyz of this machine's port (https, then http) or of --url; exit 0 ready, 1 not, 2 usage.
import { afterEach, describe, expect, test } from 'bun:test'
import { healthCommand } from '../../src/cli/health-command'
import { HAS_OPENSSL, selfSignedCert } from '../helpers/tls'

const servers: { stop(force: boolean): unknown }[] = []
afterEach(() => {
  for (const s of servers.splice(0)) s.stop(true)
})

function readyz(status: number, tls?: { cert: string; key: string }) {
  const server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    tls: tls && { cert: Bun.file(tls.cert), key: Bun.file(tls.key) },
    fetch: (req) =>
      new URL(req.url).pathname === '/readyz'
        ? new Response(status === 200 ? 'ready\n' : 'not ready: the database refuses writes\n', { status })
        : new Response('no', { status: 404 }),
  })
  servers.push(server)
  return String(server.port)
}

async function health(...argv: string[]) {
  const lines: string[] = []
  const errors: string[] = []
  const code = await healthCommand(
    argv,
    {},
    (line) => lines.push(line),
    (line) => errors.push(line)
  )
  return { code, output: [...lines, ...errors].join('\n'), errors }
}

describe('cli/health', () => {
  test('a plain-http server that is ready: exit 0; one that answers 503: exit 1 with its reason', async () => {
    expect(await health('--port', readyz(200))).toMatchObject({
      code: 0,
      output: expect.stringMatching(/^ready: http:/),
    })
    const down = await health('--port', readyz(503))
    expect(down.code).toBe(1)
    expect(down.output).toContain('503 not ready: the database refuses writes')
  })

  test.skipIf(!HAS_OPENSSL)("an https port is asked over https without checking the certificate's name", async () => {
    const port = readyz(200, selfSignedCert('scim.example.com'))
    expect(await health('--port', port)).toMatchObject({ code: 0, output: expect.stringMatching(/^ready: https:/) })
    // --url checks the certificate unless told not to.
    expect((await health('--url', `https://127.0.0.1:${port}`)).code).toBe(1)
    expect((await health('--url', `https://127.0.0.1:${port}/`, '--insecure')).code).toBe(0)
  })

  test('--url given a Tenant URL asks the /readyz of the server that serves it', async () => {
    const port = readyz(200)
    for (const path of ['/scim/v2', '/scim/v2/', '/tenants/acme/scim/v2', '/readyz'])
      expect((await health('--url', `http://127.0.0.1:${port}${path}`)).code).toBe(0)
  })

  test('nothing listening: exit 1, saying so; usage mistakes: exit 2', async () => {
    const port = readyz(200)
    for (const s of servers.splice(0)) s.stop(true)
    const none = await health('--port', port)
    expect(none.code).toBe(1)
    expect(none.output).toStartWith('not ready: no answer')
    // A usage mistake goes to standard error, one line, as every command says one.
    for (const args of [['--port', 'x'], ['--url', 'ftp://h/readyz'], ['extra']]) {
      const mistake = await health(...args)
      expect(mistake.code).toBe(2)
      expect(mistake.errors).toHaveLength(1)
      expect(mistake.errors[0]).toStartWith('scim-server: ')
    }
  })

  test('SCIM_PORT gives the port when --port does not', async () => {
    const port = readyz(200)
    const lines: string[] = []
    expect(await healthCommand([], { SCIM_PORT: port }, (l) => lines.push(l))).toBe(0)
    expect(lines[0]).toContain(`127.0.0.1:${port}`)
  })
})
