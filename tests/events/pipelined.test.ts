// Pushed SETs pipelined on one HTTP/1.1 connection: responses parsed in order, the connection's end handled.
import { describe, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import {
  FetchTransport,
  MAX_ANSWER_BYTES,
  parseResponse,
  PipelinedConnection,
  proxyFor,
  transportFor,
  Unanswered,
} from '../../src/events/pipelined'
import { outcomeOf } from '../../src/events/push'
import { cleanupsAfterEach } from '../helpers/cleanups'
import { HAS_OPENSSL, selfSignedCert } from '../helpers/tls'

const later = cleanupsAfterEach()

const bytes = (s: string) => Buffer.from(s, 'latin1')

/** A TCP server that answers each connection with `reply(received so far)` whenever bytes arrive. */
function rawServer(reply: (received: string) => string | undefined): Promise<{ port: number; connections: number }> {
  const state = { port: 0, connections: 0 }
  const server: Server = createServer((socket) => {
    state.connections++
    let received = ''
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1')
      const out = reply(received)
      if (out !== undefined) socket.end(out)
    })
  })
  later(() => new Promise((resolve) => server.close(resolve)))
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      state.port = (server.address() as { port: number }).port
      resolve(state)
    })
  )
}

describe('events/pipelined', () => {
  test('responses come off the front one at a time: Content-Length, chunked, interim 1xx, none for 204', () => {
    const two = parseResponse(bytes('HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\nHTTP/1.1 400 Bad Request\r\n'))
    expect(two?.answer).toEqual({ status: 202, body: '' })
    expect(parseResponse(two!.rest)).toBeUndefined()
    const chunked = parseResponse(
      bytes(
        'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 400 Bad Request\r\nTransfer-Encoding: chunked\r\n\r\n7\r\n{"err":\r\na\r\n"invalid"}\r\n0\r\n\r\nX'
      )
    )
    expect(chunked?.answer).toEqual({ status: 400, body: '{"err":"invalid"}' })
    expect(chunked?.rest.toString()).toBe('X')
    expect(parseResponse(bytes('HTTP/1.1 204 No Content\r\n\r\n'))?.answer).toEqual({ status: 204, body: '' })
    expect(parseResponse(bytes('HTTP/1.1 202 Accepted\r\nContent-Length: 5\r\n\r\nab'))).toBeUndefined()
    expect(parseResponse(bytes('HTTP/1.1 202 Accepted\r\nConnection: close\r\nContent-Length: 0\r\n\r\n'))?.close).toBe(
      true
    )
    // Without a length the body runs to the connection's end.
    expect(parseResponse(bytes('HTTP/1.0 503 Busy\r\n\r\nbusy'))).toBeUndefined()
    expect(parseResponse(bytes('HTTP/1.0 503 Busy\r\n\r\nbusy'), true)?.answer).toEqual({ status: 503, body: 'busy' })
    expect(() => parseResponse(bytes('SSH-2.0-OpenSSH\r\n\r\n'))).toThrow('not an HTTP/1.1 response')
  })

  test('a 2xx is accepted, a 400 with an RFC 8935 err refused, anything else retried', () => {
    expect(outcomeOf({ status: 202, body: '' })).toBe('delivered')
    expect(outcomeOf({ status: 400, body: '{"err":"invalid_request"}' })).toBe('rejected')
    expect(outcomeOf({ status: 400, body: '<html>bad gateway</html>' })).toBe('retry')
    expect(outcomeOf({ status: 503, body: '' })).toBe('retry')
  })

  test('bodies posted together reach the receiver in order on one connection, and each gets its own answer', async () => {
    const seen: string[] = []
    const ports = new Set<number>()
    const server = Bun.serve({
      hostname: '127.0.0.1',
      port: 0,
      async fetch(request, srv) {
        ports.add(srv.requestIP(request)!.port)
        const body = await request.text()
        seen.push(body)
        expect(request.headers.get('content-type')).toBe('application/secevent+jwt')
        return body === 'b3'
          ? Response.json({ err: 'invalid_request' }, { status: 400 })
          : new Response(null, { status: 202 })
      },
    })
    later(() => server.stop(true))
    const connection = new PipelinedConnection(new URL(`http://127.0.0.1:${server.port}/events`))
    later(() => connection.close())
    const bodies = Array.from({ length: 20 }, (_, i) => `b${i}`)
    const answers = await connection.post(bodies, 5000)
    expect(seen).toEqual(bodies)
    expect(answers.map((a) => (a.status === 'fulfilled' ? a.value.status : 0))).toEqual(
      bodies.map((b) => (b === 'b3' ? 400 : 202))
    )
    expect((await connection.post(['again'], 5000))[0]).toEqual({
      status: 'fulfilled',
      value: { status: 202, body: '' },
    })
    expect(ports.size).toBe(1)
  })

  test('after an answer with Connection: close, the requests sent behind it are unanswered; the next post reconnects', async () => {
    const state = await rawServer((received) =>
      received.includes('\r\n\r\nfirst')
        ? 'HTTP/1.1 202 Accepted\r\nConnection: close\r\nContent-Length: 0\r\n\r\n'
        : undefined
    )
    const connection = new PipelinedConnection(new URL(`http://127.0.0.1:${state.port}/`))
    later(() => connection.close())
    const [first, second] = await connection.post(['first', 'second'], 5000)
    expect(first).toEqual({ status: 'fulfilled', value: { status: 202, body: '' } })
    expect(second?.status).toBe('rejected')
    await connection.post(['first'], 5000)
    expect(state.connections).toBe(2)
  })

  test('a receiver that ends the connection after one answer without saying so: the rest are unanswered too', async () => {
    const state = await rawServer((received) =>
      received.includes('\r\n\r\nfirst') ? 'HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n' : undefined
    )
    const connection = new PipelinedConnection(new URL(`http://127.0.0.1:${state.port}/`))
    later(() => connection.close())
    const [first, second] = await connection.post(['first', 'second'], 5000)
    expect(first).toEqual({ status: 'fulfilled', value: { status: 202, body: '' } })
    expect(second?.status === 'rejected' && second.reason).toBeInstanceOf(Unanswered)
    expect(connection.closesEach).toBe(true)
  })

  test('a receiver that streams an answer larger than the bound loses the connection, long before the timeout', async () => {
    let sent = 0
    const server: Server = createServer((socket) => {
      socket.once('data', () => {
        socket.write('HTTP/1.1 200 OK\r\nContent-Length: 99999999999\r\n\r\n')
        // Endless: 16 KiB at a time for as long as the socket takes it.
        const more = () => {
          while (!socket.destroyed && sent < 64 * 1024 * 1024) {
            sent += 16 * 1024
            if (!socket.write(Buffer.alloc(16 * 1024, 97))) return void socket.once('drain', more)
          }
        }
        socket.on('error', () => {})
        more()
      })
    })
    later(() => new Promise((resolve) => server.close(resolve)))
    const port = await new Promise<number>((resolve) =>
      server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port))
    )
    const connection = new PipelinedConnection(new URL(`http://127.0.0.1:${port}/`))
    later(() => connection.close())
    const [answer] = await connection.post(['x'], 60_000)
    expect(answer?.status === 'rejected' && String(answer.reason)).toContain(`larger than ${MAX_ANSWER_BYTES} bytes`)
    // The connection went after a bound's worth, not after what the receiver would have sent.
    expect(sent).toBeLessThan(32 * 1024 * 1024)
  })

  test('a receiver that never answers is given up on after the timeout; one that is not there fails at once', async () => {
    const silent = await rawServer(() => undefined)
    const connection = new PipelinedConnection(new URL(`http://127.0.0.1:${silent.port}/`))
    later(() => connection.close())
    const [answer] = await connection.post(['x'], 50)
    expect(answer?.status).toBe('rejected')
    const gone = new PipelinedConnection(new URL('http://127.0.0.1:1/'))
    const [refused] = await gone.post(['x'], 5000)
    expect(refused?.status).toBe('rejected')
  })

  test.skipIf(!HAS_OPENSSL)(
    'over https the receiver certificate is checked, and pipelined answers come back in order',
    async () => {
      const { cert, key } = selfSignedCert()
      const seen: string[] = []
      const server = Bun.serve({
        hostname: '127.0.0.1',
        port: 0,
        tls: { cert: Bun.file(cert), key: Bun.file(key) },
        async fetch(request) {
          seen.push(await request.text())
          return new Response(null, { status: 202 })
        },
      })
      later(() => server.stop(true))
      const url = new URL(`https://localhost:${server.port}/events`)
      const trusting = new PipelinedConnection(url, readFileSync(cert, 'utf8'))
      later(() => trusting.close())
      const answers = await trusting.post(['a', 'b', 'c'], 5000)
      expect(answers.map((a) => a.status === 'fulfilled' && a.value.status)).toEqual([202, 202, 202])
      expect(seen).toEqual(['a', 'b', 'c'])
      const [untrusted] = await new PipelinedConnection(url).post(['d'], 5000)
      expect(untrusted?.status).toBe('rejected')
      expect(seen).toEqual(['a', 'b', 'c'])
    }
  )

  test('behind a proxy the environment sets, SETs go through fetch one at a time; NO_PROXY hosts get the pipelined connection', () => {
    const url = new URL('https://apps.example.com/events')
    expect(proxyFor(url, {})).toBeUndefined()
    expect(proxyFor(url, { HTTPS_PROXY: 'http://proxy:3128' })).toBe('http://proxy:3128')
    expect(proxyFor(url, { https_proxy: 'http://proxy:3128' })).toBe('http://proxy:3128')
    expect(proxyFor(url, { HTTP_PROXY: 'http://proxy:3128' })).toBeUndefined()
    expect(proxyFor(url, { HTTPS_PROXY: 'http://p', NO_PROXY: 'localhost, .example.com' })).toBeUndefined()
    expect(proxyFor(url, { HTTPS_PROXY: 'http://p', NO_PROXY: 'example.org' })).toBe('http://p')
    expect(proxyFor(url, { HTTPS_PROXY: 'http://p', NO_PROXY: '*' })).toBeUndefined()
    expect(transportFor(url.href, { HTTPS_PROXY: 'http://p' })).toBeInstanceOf(FetchTransport)
    expect(transportFor(url.href, {})).toBeInstanceOf(PipelinedConnection)
  })

  test('through fetch the bodies go one after the other, each with its answer', async () => {
    const seen: string[] = []
    let inFlight = 0
    let most = 0
    const server = Bun.serve({
      hostname: '127.0.0.1',
      port: 0,
      async fetch(request) {
        most = Math.max(most, ++inFlight)
        seen.push(await request.text())
        await Bun.sleep(1)
        inFlight--
        return new Response(null, { status: seen.length === 2 ? 503 : 202 })
      },
    })
    later(() => server.stop(true))
    const answers = await new FetchTransport(`http://127.0.0.1:${server.port}/`).post(['a', 'b', 'c'], 5000)
    expect(answers.map((a) => a.status === 'fulfilled' && a.value.status)).toEqual([202, 503, 202])
    expect(seen).toEqual(['a', 'b', 'c'])
    expect(most).toBe(1)
  })
})
