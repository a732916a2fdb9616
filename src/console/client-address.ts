// The TCP peer of a request, told by the listener (Bun.serve's requestIP), for per-address limits.

const addresses = new WeakMap<Request, string>()

/** Called by the listener before the app sees the request; in-process requests have none. */
export function rememberClientAddress(request: Request, address: string | undefined): void {
  if (address !== undefined) addresses.set(request, address)
}

/**
 * The peer address, never a forwarded-for header: that one is whatever the client writes, so it
 * would let anyone choose a fresh address for every guess. Behind a proxy every client shares
 * the proxy's address, and the per-account limit still holds.
 */
export function clientAddress(request: Request): string {
  return addresses.get(request) ?? 'unknown'
}
