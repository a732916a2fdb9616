// The TCP peer of a request, asked of the listener (Bun.serve's requestIP) only when needed: sign-in limits and --allow-from.

/** What of Bun's Server this needs. */
export interface PeerSource {
  requestIP(request: Request): { address: string } | null
}

/**
 * Both ride on the request under symbols no other code knows (as request-context.ts does): a
 * WeakMap entry set on every request cost ~1 % of a cached read under load.
 */
const ADDRESS = Symbol('scim.peer-address')
const LISTENER = Symbol('scim.listener')

type Carrier = Request & { [ADDRESS]?: string; [LISTENER]?: PeerSource }

/** A request's known peer address (tests and in-process callers that have one). */
export function rememberClientAddress(request: Request, address: string | undefined): void {
  if (address !== undefined) (request as Carrier)[ADDRESS] = address
}

/**
 * Called by the listener before the app sees the request. Only the listener is kept: asking it
 * for the address cost ~2 µs on every request, and only sign-in attempts need it.
 */
export function rememberListener(request: Request, listener: PeerSource): void {
  ;(request as Carrier)[LISTENER] = listener
}

/**
 * The peer address, never a forwarded-for header: that one is whatever the client writes, so it
 * would let anyone choose a fresh address for every guess. Behind a proxy every client shares
 * the proxy's address, and the per-account limit still holds.
 */
export function clientAddress(request: Request): string {
  const carrier = request as Carrier
  return carrier[ADDRESS] ?? carrier[LISTENER]?.requestIP(request)?.address ?? 'unknown'
}

/**
 * A request the app re-issues to itself (front door, respelled endpoint) is a new object the
 * listener never saw: it takes the original's address, asked of the listener now, if it had one.
 */
export function carryClientAddress(from: Request, to: Request): void {
  const carrier = from as Carrier
  if (carrier[ADDRESS] === undefined && carrier[LISTENER] === undefined) return
  ;(to as Carrier)[ADDRESS] = clientAddress(from)
}
