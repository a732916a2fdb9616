// An RFC 8935 receiver on 127.0.0.1 for the push tests: scripted statuses, the SETs it accepted.

/** A receiver that answers each attempt with the next status of `script` (then 202), and keeps what it accepted. */
export function receiver(script: number[]) {
  const accepted: { body: string; type: string | null }[] = []
  const waiters: { count: number; resolve: () => void }[] = []
  let attempts = 0
  const server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    async fetch(request) {
      const body = await request.text()
      const status = script[attempts++] ?? 202
      if (status === 202) {
        accepted.push({ body, type: request.headers.get('content-type') })
        for (const w of waiters) if (accepted.length >= w.count) w.resolve()
        return new Response(null, { status })
      }
      if (status === 400) return Response.json({ err: 'invalid_request', description: 'refused' }, { status })
      return new Response('busy', { status })
    },
  })
  return {
    url: `http://127.0.0.1:${server.port}/events`,
    accepted,
    attempts: () => attempts,
    /** Resolves once `count` SETs were accepted. */
    received: (count: number) =>
      new Promise<void>((resolve) => (accepted.length >= count ? resolve() : waiters.push({ count, resolve }))),
    stop: () => server.stop(true),
  }
}
