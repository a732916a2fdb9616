// One selftest run's HTTP side: sends IdP-shaped requests, records exchanges, tracks what it created.
import { CheckFailure } from './expect'
import { peerCertificateEnd } from './peer-certificate'

/** `fetch` or anything shaped like it (tests pass one that calls `app.handle`). */
export type Fetcher = (url: string, init: RequestInit) => Promise<Response>

export interface Exchange {
  method: string
  /** Path below the tenant URL, e.g. `/Users?filter=…`. */
  path: string
  status: number
  headers: Headers
  text: string
  /** Parsed JSON body, `undefined` when empty or not JSON. */
  body: unknown
}

export interface SendOptions {
  /** Another bearer token (the 401 check), or `null` for none. */
  token?: string | null
  /** Request media type; Entra sends `application/scim+json; charset=utf-8` (entra-wire §0). */
  contentType?: string
}

/** Entra gives up on a request after 60 s (entra-wire §0, Q2); so does the selftest. */
export const REQUEST_TIMEOUT_MS = 60_000

export const ENTRA_CONTENT_TYPE = 'application/scim+json; charset=utf-8'

/** The tenant URL without query (Entra's `?aadOptscim062020` flag), fragment or trailing slash. */
export function tenantBase(url: string): string {
  const u = new URL(url)
  u.search = ''
  u.hash = ''
  return u.toString().replace(/\/+$/, '')
}

function parse(text: string): unknown {
  if (text === '') return undefined
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/** Why a request got no answer, in words an admin can act on. */
function noAnswer(err: unknown, timeoutMs: number): string {
  const e = err as Error
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') {
    return `no answer within ${timeoutMs / 1000} s (Entra gives up after 60 s)`
  }
  const message = e?.message ?? String(err)
  const code = (err as { code?: string })?.code
  const what = code && !message.includes(code) ? `${message} (${code})` : message
  if (/certificate|self[- ]signed|issuer|CERT_|UNABLE_TO_VERIFY/i.test(what)) {
    return `TLS failed: ${what}; Entra requires a certificate from a publicly trusted CA (--insecure skips verification for a test deployment only)`
  }
  if (/EPROTO|handshake|\bssl\b|\btls\b/i.test(what)) return `TLS failed: ${what}; is this port serving https?`
  return `no answer: ${what}`
}

export interface SessionOptions {
  /** The Tenant URL as typed into Entra, e.g. `https://scim.example.com/scim/v2`. */
  url: string
  token: string
  fetch: Fetcher
  insecure?: boolean
  timeoutMs?: number
  /** The end of the certificate the URL's server presents (tests give their own). */
  certificateEnd?: (url: URL) => Promise<Date | undefined>
}

export class Session {
  readonly base: string
  readonly runId = crypto.randomUUID().slice(0, 8)
  readonly exchanges: Exchange[] = []
  private readonly created = new Map<string, string>()

  /** TLS verification is off (`--insecure`). */
  readonly insecure: boolean
  private readonly token: string
  private readonly fetcher: Fetcher
  private readonly timeoutMs: number
  private readonly readCertificateEnd: (url: URL) => Promise<Date | undefined>

  constructor(options: SessionOptions) {
    this.base = tenantBase(options.url)
    this.token = options.token
    this.fetcher = options.fetch
    this.insecure = options.insecure ?? false
    this.timeoutMs = options.timeoutMs ?? REQUEST_TIMEOUT_MS
    this.readCertificateEnd = options.certificateEnd ?? ((url) => peerCertificateEnd(url, this.timeoutMs))
  }

  /** When the certificate of the server under test ends; undefined over http or without a handshake. */
  certificateEnd(): Promise<Date | undefined> {
    const url = new URL(this.base)
    return url.protocol === 'https:' ? this.readCertificateEnd(url) : Promise.resolve(undefined)
  }

  /** A name unique to this run, so runs against a shared deployment never collide. */
  name(role: string): string {
    return `selftest-${this.runId}-${role}`
  }

  async send(method: string, path: string, body?: unknown, options: SendOptions = {}): Promise<Exchange> {
    const token = options.token === undefined ? this.token : options.token
    const headers: Record<string, string> = {}
    if (token !== null) headers.authorization = `Bearer ${token}`
    if (body !== undefined) headers['content-type'] = options.contentType ?? ENTRA_CONTENT_TYPE
    let res: Response
    try {
      res = await this.fetcher(this.base + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      })
    } catch (err) {
      throw new CheckFailure(`${method} ${path}: ${noAnswer(err, this.timeoutMs)}`)
    }
    const text = await res.text()
    const exchange = { method, path, status: res.status, headers: res.headers, text, body: parse(text) }
    this.exchanges.push(exchange)
    return exchange
  }

  /** Remembers a created resource (`/Users/{id}`) for the final clean-up. */
  track(path: string): void {
    this.created.set(path, path)
  }

  untrack(path: string): void {
    this.created.delete(path)
  }

  /** Created resources not yet deleted, newest first (groups before the users in them). */
  leftovers(): string[] {
    return [...this.created.keys()].reverse()
  }
}
