// The end of the certificate a server presents, read from a TLS handshake of its own (fetch does not show it).
import { connect } from 'node:tls'

/**
 * The leaf certificate's end of validity for `url`'s host and port, or undefined when no handshake
 * could be made within `timeoutMs` (the checks that send requests report why). Verification is the
 * request checks' job: this handshake only reads what the server presents.
 */
export function peerCertificateEnd(url: URL, timeoutMs = 5000): Promise<Date | undefined> {
  return new Promise((resolve) => {
    const host = url.hostname.replace(/^\[|\]$/g, '')
    const port = Number(url.port || 443)
    const servername = /^[\d.]+$|:/.test(host) ? undefined : host
    const socket = connect({ host, port, servername, rejectUnauthorized: false, timeout: timeoutMs }, () => {
      const validTo = socket.getPeerCertificate()?.valid_to
      socket.end()
      resolve(validTo ? new Date(validTo) : undefined)
    })
    const none = () => {
      socket.destroy()
      resolve(undefined)
    }
    socket.on('error', none)
    socket.on('timeout', none)
  })
}
