// One push receiver's HTTP/1.1 connection with POSTs pipelined on it (RFC 9112 §9.3.2): several SETs in flight, answered in the order sent.
import { connect as connectTcp, type Socket } from 'node:net'
import { connect as connectTls } from 'node:tls'

/** A receiver's answer to one POST. */
export interface Answer {
  status: number
  body: string
}

/** One response parsed off the front of `bytes`, what is left behind it, and whether the connection ends after it. */
export interface Parsed {
  answer: Answer
  rest: Buffer
  close: boolean
}

const HEAD_END = Buffer.from('\r\n\r\n')

/**
 * The most of an unfinished answer kept while waiting for its end. A receiver answers 202 with
 * no body, or 400 with a short JSON error (RFC 8935 §2.3); one that streams more than this (a
 * broken or hostile receiver announcing a huge Content-Length) loses the connection instead of
 * growing the server's memory for the whole of the request timeout.
 */
export const MAX_ANSWER_BYTES = 64 * 1024

/**
 * The first complete response in `bytes`, or undefined while more bytes are needed. Interim 1xx
 * responses are skipped; a body is framed by Transfer-Encoding: chunked or Content-Length; one
 * with neither (other than 204 and 304, which have none) runs to the connection's end, so it
 * completes only when `ended`. Throws on bytes that are not an HTTP/1.x response.
 */
export function parseResponse(bytes: Buffer, ended = false): Parsed | undefined {
  let at = 0
  for (;;) {
    const headEnd = bytes.indexOf(HEAD_END, at)
    if (headEnd < 0) return undefined
    const lines = bytes.toString('latin1', at, headEnd).split('\r\n')
    const status = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '')
    if (!status) throw new Error(`not an HTTP/1.1 response: ${JSON.stringify((lines[0] ?? '').slice(0, 80))}`)
    const code = Number(status[1])
    const headers = new Map<string, string>()
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':')
      if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim())
    }
    at = headEnd + HEAD_END.length
    if (code >= 100 && code < 200) continue
    const close = /\bclose\b/i.test(headers.get('connection') ?? '')
    if (/\bchunked\b/i.test(headers.get('transfer-encoding') ?? '')) {
      const chunked = dechunk(bytes, at)
      if (!chunked) return undefined
      return { answer: { status: code, body: chunked.body }, rest: bytes.subarray(chunked.end), close }
    }
    const length = headers.get('content-length')
    if (length !== undefined || code === 204 || code === 304) {
      const n = length === undefined ? 0 : Number(length)
      if (!Number.isSafeInteger(n) || n < 0) throw new Error(`bad Content-Length ${length}`)
      if (bytes.length < at + n) return undefined
      return { answer: { status: code, body: bytes.toString('utf8', at, at + n) }, rest: bytes.subarray(at + n), close }
    }
    if (!ended) return undefined
    return { answer: { status: code, body: bytes.toString('utf8', at) }, rest: Buffer.alloc(0), close: true }
  }
}

/** A chunked body starting at `at` (RFC 9112 §7.1), decoded, and where it ends; undefined while incomplete. */
function dechunk(bytes: Buffer, at: number): { body: string; end: number } | undefined {
  const parts: Buffer[] = []
  let i = at
  for (;;) {
    const lineEnd = bytes.indexOf('\r\n', i)
    if (lineEnd < 0) return undefined
    const size = Number.parseInt(bytes.toString('latin1', i, lineEnd).split(';')[0]!.trim(), 16)
    if (!Number.isSafeInteger(size) || size < 0) throw new Error('bad chunk size')
    i = lineEnd + 2
    if (size === 0) {
      // Trailer fields, then the empty line that ends the message.
      const end = bytes.indexOf(HEAD_END, i - 2)
      if (end < 0) return undefined
      return { body: Buffer.concat(parts).toString('utf8'), end: end + HEAD_END.length }
    }
    if (bytes.length < i + size + 2) return undefined
    parts.push(bytes.subarray(i, i + size))
    i += size + 2
  }
}

/** A request sent behind an answer that closed the connection: the receiver never read it, so it can go again at once. */
export class Unanswered extends Error {}

interface Waiter {
  resolve(answer: Answer): void
  reject(error: Error): void
}

/**
 * A keep-alive connection to one receiver URL, opened when first needed and again after it ended.
 * `post` writes each body as one POST right behind the previous, so the receiver reads them in
 * that order on one connection and answers them in that order; a receiver behind a proxy that
 * does not keep the connection open answers `Connection: close`, and what was sent behind that
 * answer is reported unanswered (to be sent again).
 */
export class PipelinedConnection implements Transport {
  private socket: Socket | undefined
  private bytes: Buffer = Buffer.alloc(0)
  private readonly waiting: Waiter[] = []
  private readonly head: string
  /** The receiver ended the connection after an answer (`Connection: close`): it takes one request per connection. */
  closesEach = false
  /** Answers read on the current connection. */
  private answered = 0

  /** `ca`: certificates to trust besides the system's (tests); the receiver's certificate is always checked. */
  constructor(
    private readonly url: URL,
    private readonly ca?: string
  ) {
    const host = url.host
    this.head = `POST ${url.pathname || '/'}${url.search} HTTP/1.1\r\nHost: ${host}\r\ncontent-type: application/secevent+jwt\r\naccept: application/json\r\n`
  }

  /**
   * One POST per body, in order; each settles with the receiver's answer, or the error that left
   * it without one. A kept-alive connection the receiver closed just as the requests went out (its
   * idle timeout) answers nothing: they go once more on a fresh connection.
   */
  async post(bodies: readonly string[], timeoutMs: number): Promise<PromiseSettledResult<Answer>[]> {
    const reused = this.socket !== undefined && !this.socket.destroyed && this.answered > 0
    const answers = await this.send(bodies, timeoutMs)
    if (reused && answers.every((a) => a.status === 'rejected' && !(a.reason instanceof Unanswered)))
      return this.send(bodies, timeoutMs)
    return answers
  }

  private send(bodies: readonly string[], timeoutMs: number): Promise<PromiseSettledResult<Answer>[]> {
    const socket = this.open()
    const answers = bodies.map(() => new Promise<Answer>((resolve, reject) => this.waiting.push({ resolve, reject })))
    let request = ''
    for (const body of bodies) request += `${this.head}content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
    socket.write(request)
    const timer = setTimeout(() => this.fail(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs)
    return Promise.allSettled(answers).finally(() => clearTimeout(timer))
  }

  /** Ends the connection; whatever waits for an answer gets an error. */
  close(): void {
    this.fail(new Error('closed'))
  }

  private open(): Socket {
    if (this.socket && !this.socket.destroyed) return this.socket
    const port = Number(this.url.port || (this.url.protocol === 'https:' ? 443 : 80))
    const host = this.url.hostname.replace(/^\[|\]$/g, '')
    const socket =
      this.url.protocol === 'https:'
        ? connectTls({ host, port, servername: /^[\d.:]+$/.test(host) ? undefined : host, ca: this.ca })
        : connectTcp({ host, port })
    socket.setNoDelay(true)
    this.bytes = Buffer.alloc(0)
    this.answered = 0
    socket.on('data', (chunk: Buffer) => this.read(socket, chunk, false))
    socket.on('end', () => this.read(socket, Buffer.alloc(0), true))
    socket.on('error', (error) => {
      if (this.socket === socket) this.fail(error)
    })
    socket.on('close', () => {
      if (this.socket === socket) this.fail(new Error('the receiver closed the connection'))
    })
    this.socket = socket
    return socket
  }

  private read(socket: Socket, chunk: Buffer, ended: boolean): void {
    if (this.socket !== socket) return
    this.bytes = this.bytes.length === 0 ? chunk : Buffer.concat([this.bytes, chunk])
    try {
      for (;;) {
        const parsed = parseResponse(this.bytes, ended)
        if (!parsed) break
        this.bytes = parsed.rest
        this.answered++
        this.waiting.shift()?.resolve(parsed.answer)
        if (parsed.close) {
          this.closesEach = true
          this.fail(new Unanswered('sent behind an answer that closed the connection'))
          return
        }
      }
    } catch (error) {
      this.fail(error instanceof Error ? error : new Error(String(error)))
      return
    }
    if (this.bytes.length > MAX_ANSWER_BYTES) {
      this.fail(new Error(`an answer larger than ${MAX_ANSWER_BYTES} bytes`))
      return
    }
    if (!ended) return
    // Answers came, then the end without `Connection: close` (a server or proxy that does not
    // keep connections): the requests behind them were never read either.
    if (this.answered > 0 && this.waiting.length > 0) {
      this.closesEach = true
      this.fail(new Unanswered('sent on a connection the receiver ended after an answer'))
    } else this.fail(new Error('the receiver closed the connection'))
  }

  /** Drops the connection: every request still waiting was not answered. */
  private fail(error: Error): void {
    const socket = this.socket
    this.socket = undefined
    socket?.destroy()
    this.bytes = Buffer.alloc(0)
    for (const waiter of this.waiting.splice(0)) waiter.reject(error)
  }
}

/** How the push receiver sends a wave: pipelined on a socket of its own, or through fetch one at a time. */
export interface Transport {
  post(bodies: readonly string[], timeoutMs: number): Promise<PromiseSettledResult<Answer>[]>
  close(): void
  /** True once the receiver showed that it takes one request per connection. */
  readonly closesEach: boolean
}

/**
 * Through fetch, which goes through the HTTP(S)_PROXY the environment names, one request after
 * the other (never two in flight, so the order holds), when a proxy stands between the server
 * and the receiver: a socket of our own would go around it.
 */
export class FetchTransport implements Transport {
  readonly closesEach = true

  constructor(private readonly url: string) {}

  async post(bodies: readonly string[], timeoutMs: number): Promise<PromiseSettledResult<Answer>[]> {
    const out: PromiseSettledResult<Answer>[] = []
    for (const body of bodies) {
      try {
        const response = await fetch(this.url, {
          method: 'POST',
          headers: { 'content-type': 'application/secevent+jwt', accept: 'application/json' },
          body,
          signal: AbortSignal.timeout(timeoutMs),
        })
        out.push({ status: 'fulfilled', value: { status: response.status, body: await response.text() } })
      } catch (error) {
        out.push({ status: 'rejected', reason: error })
      }
    }
    return out
  }

  close(): void {}
}

/** The proxy the environment sets for `url` (curl's rules: HTTPS_PROXY / HTTP_PROXY, except hosts NO_PROXY names). */
export function proxyFor(url: URL, env: Record<string, string | undefined>): string | undefined {
  const proxy = url.protocol === 'https:' ? (env.HTTPS_PROXY ?? env.https_proxy) : (env.HTTP_PROXY ?? env.http_proxy)
  if (!proxy) return undefined
  const host = url.hostname.toLowerCase()
  for (const raw of (env.NO_PROXY ?? env.no_proxy ?? '').split(',')) {
    const entry = raw.trim().toLowerCase().replace(/:\d+$/, '')
    if (entry === '*') return undefined
    const suffix = entry.replace(/^\*?\./, '')
    if (entry && (host === suffix || host.endsWith(`.${suffix}`))) return undefined
  }
  return proxy
}

/** The transport to a receiver: fetch through a proxy `env` sets, else a pipelined connection. */
export function transportFor(url: string, env: Record<string, string | undefined>): Transport {
  const parsed = new URL(url)
  return proxyFor(parsed, env) ? new FetchTransport(url) : new PipelinedConnection(parsed)
}
