// Sends one HTTP/1.1 request as raw bytes, so tests control the exact target and Host header.
import { connect as connectTcp } from 'node:net'
import { connect as connectTls } from 'node:tls'

export interface RawResponse {
  status: number
  headers: Record<string, string>
  body: string
}

export interface RawRequest {
  method: string
  /** Sent exactly as given on the request line. */
  target: string
  /** The Host header's value; null sends no Host header at all. */
  host: string | null
  headers?: Record<string, string>
  body?: string
}

/** Parses a raw HTTP/1.1 response with a Content-Length or no body (Connection: close). */
export function parseRawResponse(text: string): RawResponse {
  const split = text.indexOf('\r\n\r\n')
  const head = split < 0 ? text : text.slice(0, split)
  const [statusLine = '', ...lines] = head.split('\r\n')
  const headers: Record<string, string> = {}
  for (const line of lines) {
    const colon = line.indexOf(':')
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
  }
  return { status: Number(statusLine.split(' ')[1] ?? 0), headers, body: split < 0 ? '' : text.slice(split + 4) }
}

/** Sends `req` to 127.0.0.1:`port` (over TLS when `tls`) and resolves with what came back. */
export function rawRequest(port: number, req: RawRequest, tls = false): Promise<RawResponse> {
  const lines = [`${req.method} ${req.target} HTTP/1.1`]
  if (req.host !== null) lines.push(`Host: ${req.host}`)
  for (const [k, v] of Object.entries(req.headers ?? {})) lines.push(`${k}: ${v}`)
  lines.push('Connection: close')
  if (req.body !== undefined) lines.push(`Content-Length: ${Buffer.byteLength(req.body)}`)
  const bytes = `${lines.join('\r\n')}\r\n\r\n${req.body ?? ''}`
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    const socket = tls
      ? connectTls({ port, host: '127.0.0.1', rejectUnauthorized: false }, () => socket.write(bytes))
      : connectTcp(port, '127.0.0.1', () => socket.write(bytes))
    const timer = setTimeout(() => socket.destroy(new Error(`no answer to ${req.method} ${req.target}`)), 10_000)
    socket.on('data', (d: Buffer) => chunks.push(d))
    socket.on('error', (err) => {
      clearTimeout(timer)
      reject(err)
    })
    socket.on('close', () => {
      clearTimeout(timer)
      resolve(parseRawResponse(Buffer.concat(chunks).toString('utf8')))
    })
  })
}
