// The served certificate: whether the files make a pair, when it expires, and the warning an admin gets before it does.
import { X509Certificate } from 'node:crypto'
import { createSecureContext } from 'node:tls'

/** Days before the end at which start-up and each reload warn; ACME clients renew at 30 days left. */
const WARN_DAYS = 14
const DAY_MS = 86_400_000

/**
 * Throws, naming both files, unless `cert` and `key` are PEM a TLS listener can serve: a key of
 * another certificate or a truncated file came out as "cannot listen on HOST:PORT: …
 * KEY_VALUES_MISMATCH", which sent the admin to the port. Start and SIGHUP check alike.
 */
export function checkPemPair(pair: { cert: string; key: string }, certPath: string, keyPath: string): void {
  try {
    createSecureContext(pair)
  } catch (err) {
    const why = (err as Error).message.split('\n')[0] ?? ''
    const mismatch = /KEY_VALUES_MISMATCH/.test(why)
    throw new Error(
      mismatch
        ? `--tls-key ${keyPath} is not the key of the certificate in --tls-cert ${certPath} (${why})`
        : `--tls-cert ${certPath} and --tls-key ${keyPath} are not a PEM certificate and its key (${why})`
    )
  }
}

const parsed = new Map<string, Date | undefined>()

/**
 * The end of validity of the first certificate in `pem` (the leaf: a fullchain file lists it first),
 * undefined when it holds none node:crypto reads. Remembered for the pair in use and the last one,
 * as /metrics asks at every scrape.
 */
export function certificateNotAfter(pem: string): Date | undefined {
  if (parsed.has(pem)) return parsed.get(pem)
  let end: Date | undefined
  try {
    end = new X509Certificate(pem).validToDate
  } catch {
    end = undefined
  }
  if (parsed.size >= 2) parsed.clear()
  parsed.set(pem, end)
  return end
}

/** Whole days from `now` to `notAfter` (negative once it has passed). */
export function daysLeft(notAfter: Date, now: Date): number {
  return Math.floor((notAfter.getTime() - now.getTime()) / DAY_MS)
}

/** A line for the log when the certificate ends within WARN_DAYS (or has ended), else undefined. */
export function expiryWarning(notAfter: Date, now: Date): string | undefined {
  const left = notAfter.getTime() - now.getTime()
  const day = notAfter.toISOString().slice(0, 10)
  if (left <= 0) return `the TLS certificate expired on ${day}: Entra refuses it; renew it and send SIGHUP`
  if (left > WARN_DAYS * DAY_MS) return undefined
  const days = daysLeft(notAfter, now)
  return `the TLS certificate expires on ${day} (in ${days} day${days === 1 ? '' : 's'}): renew it and send SIGHUP (systemctl reload) to serve the new one`
}
