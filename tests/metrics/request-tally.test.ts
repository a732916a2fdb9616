// The tallied request metrics expose exactly what prom-client's own Counter and Histogram would.
import { expect, test } from 'bun:test'
import { Counter, Histogram, Registry } from 'prom-client'
import { RequestTally } from '../../src/metrics/request-tally'

const BOUNDS = [0.001, 0.01, 0.1, 1]
const NAMES = { requests: 'req_total', requestsHelp: 'r', latency: 'lat_seconds', latencyHelp: 'l' }
const SAMPLES: [string, string, string, number, number][] = [
  ['default', '/scim/v2/Users', 'GET', 200, 0.0004],
  ['default', '/scim/v2/Users', 'GET', 200, 0.001],
  ['default', '/scim/v2/Users', 'GET', 404, 0.05],
  ['acme', '/scim/v2/Users', 'GET', 200, 2],
  ['default', '/scim/v2/Users/:id', 'PATCH', 200, 0.2],
]

test('the exposition equals that of prom-client metrics fed the same requests', async () => {
  const tallied = new Registry()
  const tally = new RequestTally(tallied, BOUNDS, NAMES)
  const reference = new Registry()
  const counter = new Counter({
    name: 'req_total',
    help: 'r',
    labelNames: ['tenant', 'route', 'method', 'status'],
    registers: [reference],
  })
  const histogram = new Histogram({
    name: 'lat_seconds',
    help: 'l',
    labelNames: ['tenant', 'route', 'method'],
    buckets: BOUNDS,
    registers: [reference],
  })
  for (const [tenant, route, method, status, seconds] of SAMPLES) {
    tally.record(tenant, route, method, status, seconds)
    counter.inc({ tenant, route, method, status: String(status) })
    histogram.observe({ tenant, route, method }, seconds)
  }
  const lines = async (r: Registry) => (await r.metrics()).split('\n').sort()
  expect(await lines(tallied)).toEqual(await lines(reference))
  expect(await tallied.metrics()).toContain(
    'lat_seconds_bucket{le="0.001",tenant="default",route="/scim/v2/Users",method="GET"} 2'
  )
})
