// The PEM pair --tls-cert and --tls-key name: read and checked (at start and on SIGHUP), and its expiry warned of.
import { certificateNotAfter, checkPemPair, expiryWarning } from '../http/certificate'
import type { PemPair } from '../http/tls-listener'
import type { Logger } from '../log/types'

/** The two files (none without them); a file that cannot be read, or a pair that does not fit, throws, naming it. */
export async function readPem(certPath: string | undefined, keyPath: string | undefined): Promise<PemPair | undefined> {
  if (!certPath || !keyPath) return undefined
  const read = (flag: string, path: string) =>
    Bun.file(path)
      .text()
      .catch((err: Error) => {
        throw new Error(`cannot read ${flag} ${path}: ${err.message}`)
      })
  const pair = { cert: await read('--tls-cert', certPath), key: await read('--tls-key', keyPath) }
  checkPemPair(pair, certPath, keyPath)
  return pair
}

/** Logs a warning when the served certificate ends soon (or has ended): the server still starts or reloads. */
export function warnOfExpiry(pair: PemPair, logger: Logger): void {
  const end = certificateNotAfter(pair.cert)
  const warning = end && expiryWarning(end, new Date())
  if (warning) logger.error({}, warning)
}
