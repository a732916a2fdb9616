// The consumers of scripts/bench --events, in one process beside wrk: an RFC 8935 push receiver
// (Bun.serve on 127.0.0.1, 202 for every SET) and an RFC 8936 long poller that acks what it got.
// GET /stats on the receiver's port answers what each has taken so far.
//   bun consumers.ts [--port P (default: any free one)] [--poll URL --token T --max N]
import { parseArgs } from 'node:util'

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    poll: { type: 'string' },
    token: { type: 'string' },
    max: { type: 'string', default: '100' },
  },
})

const stats = { pushed: 0, pushedSeq: 0, polled: 0, polledSeq: 0, polls: 0, pollErrors: 0 }

/** The journal position a SET's jti carries (`<seq>.<hash>`), without decoding the JWT. */
const seqOf = (jti: string) => Number(jti.slice(0, jti.indexOf('.')))

function jtiOfSet(set: string): string {
  const payload = set.slice(set.indexOf('.') + 1, set.lastIndexOf('.'))
  return (JSON.parse(Buffer.from(payload, 'base64url').toString()) as { jti: string }).jti
}

const receiver = Bun.serve({
  hostname: '127.0.0.1',
  port: Number(values.port ?? 0),
  async fetch(request) {
    if (request.method === 'GET') return Response.json(stats)
    const set = await request.text()
    stats.pushed++
    stats.pushedSeq = Math.max(stats.pushedSeq, seqOf(jtiOfSet(set)))
    return new Response(null, { status: 202 })
  },
})

async function pollForever(url: string, token: string, max: number): Promise<never> {
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' }
  let ack: string[] = []
  for (;;) {
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers,
        body: JSON.stringify({ ack, maxEvents: max, returnImmediately: false }),
      })
      stats.polls++
      if (!res.ok) throw new Error(`poll answered ${res.status}: ${(await res.text()).slice(0, 200)}`)
      const { sets } = (await res.json()) as { sets: Record<string, string> }
      ack = Object.keys(sets)
      stats.polled += ack.length
      for (const jti of ack) stats.polledSeq = Math.max(stats.polledSeq, seqOf(jti))
    } catch (error) {
      // Until the server listens the poll cannot connect; anything else is worth a line.
      stats.pollErrors++
      if (!String(error).includes('ECONNREFUSED') && stats.pollErrors < 4) console.error(`consumers: ${String(error)}`)
      await Bun.sleep(100)
    }
  }
}

console.log(`consumers ready on ${receiver.port}`)
if (values.poll && values.token) void pollForever(values.poll, values.token, Number(values.max))
