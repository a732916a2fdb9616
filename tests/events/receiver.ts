// An RFC 8935 receiver on 127.0.0.1 for the push tests: scripted statuses, the SETs it accepted.
import { claimsOf, seqOf } from '../helpers/events-binary'

/**
 * A receiver that answers each attempt with the next status of `script` (then 202), and keeps what
 * it accepted and the client ports its attempts came from (one per connection); with `closeEach`
 * every acceptance also ends its connection.
 */
export function receiver(script: number[], { closeEach = false } = {}) {
  const accepted: { body: string; type: string | null }[] = []
  const ports = new Set<number>()
  const waiters: { count: number; resolve: () => void }[] = []
  let attempts = 0
  const server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    async fetch(request, srv) {
      ports.add(srv.requestIP(request)!.port)
      const body = await request.text()
      const status = script[attempts++] ?? 202
      if (status === 202) {
        accepted.push({ body, type: request.headers.get('content-type') })
        for (const w of waiters) if (accepted.length >= w.count) w.resolve()
        return new Response(null, { status, headers: closeEach ? { connection: 'close' } : {} })
      }
      if (status === 400) return Response.json({ err: 'invalid_request', description: 'refused' }, { status })
      return new Response('busy', { status })
    },
  })
  return {
    url: `http://127.0.0.1:${server.port}/events`,
    accepted,
    ports,
    attempts: () => attempts,
    /** The journal seq of each accepted SET (its jti's first part), in the order accepted. */
    seqs: () => accepted.map((a) => seqOf(claimsOf(a.body).jti)),
    /** Resolves once `count` SETs were accepted. */
    received: (count: number) =>
      new Promise<void>((resolve) => (accepted.length >= count ? resolve() : waiters.push({ count, resolve }))),
    stop: () => server.stop(true),
  }
}
