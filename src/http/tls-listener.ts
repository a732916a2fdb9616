// The HTTPS listener, whose certificate is replaced while it serves: `reload()` on SIGHUP after a renewal.
import type { Server, ServeOptions, TLSOptions } from 'bun'

export interface PemPair {
  cert: string
  key: string
}

/** What Bun.serve gets, but the certificate (and reusePort, which this sets). */
export type ListenOptions = Omit<ServeOptions, 'tls' | 'reusePort'> & { port: number; hostname: string }

export interface ReloadableListener {
  readonly port: number
  /** The pair new connections get now. */
  readonly pair: PemPair
  /** Reads the pair again (`read`) and serves it to new connections; throws, still serving the old one, when it is bad. */
  reload(): Promise<void>
  stop(closeActiveConnections: boolean): Promise<void>
}

/**
 * Bun's server.reload() changes handlers, not the certificate (measured: new connections still got
 * the old one), so a reload starts a second listener with the new pair on the same port
 * (SO_REUSEPORT), then stops the first, which finishes what it has in flight. The port never stops
 * accepting; only a connection the first had queued but not yet taken when it closes is reset (about
 * one a reload under 3,000 new connections a second; Entra keeps its connections and retries).
 * Bun checks the pair when it listens, so a bad one (a key of another certificate, a file half
 * written) throws there and the old listener serves on.
 *
 * Any listener with SO_REUSEPORT would share the port, a second server started on it by mistake
 * included, which would then answer part of Entra's requests from another database. So the port is
 * first taken without it, which fails while anything listens there, and only then with it.
 */
export async function listenReloadable(
  options: ListenOptions,
  first: PemPair,
  read: () => Promise<PemPair>
): Promise<ReloadableListener> {
  const serve = (tls: TLSOptions, reusePort: boolean): Server<undefined> =>
    Bun.serve({ ...options, tls, reusePort } as ServeOptions) as Server<undefined>
  const exclusive = serve(first, false)
  const port = exclusive.port ?? options.port
  await exclusive.stop(true)
  options = { ...options, port }
  let current = serve(first, true)
  let pair = first
  // Replaced listeners finishing their requests (a long poll may take 30 s): a stop waits for them too.
  const draining = new Map<Server<undefined>, Promise<void>>()
  let swapping: Promise<void> = Promise.resolve()
  return {
    port,
    get pair() {
      return pair
    },
    reload() {
      // One reload at a time: two signals in a row must not replace the same listener twice.
      const next = swapping.then(async () => {
        const fresh = await read()
        const replacement = serve(fresh, true)
        const old = current
        current = replacement
        pair = fresh
        draining.set(
          old,
          old.stop(false).finally(() => draining.delete(old))
        )
      })
      swapping = next.catch(() => {})
      return next
    },
    async stop(closeActiveConnections) {
      await swapping
      const old = [...draining].map(([server, done]) => (closeActiveConnections ? server.stop(true) : done))
      await Promise.all([current.stop(closeActiveConnections), ...old])
    },
  }
}
