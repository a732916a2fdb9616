// GET /metrics: Prometheus text counters (lookup-cache hit ratio, group-commit batching).
import { Elysia } from 'elysia'
import type { ServiceDeps, StoreStats } from '../../service/context'

/** Each exported counter: its name, help text, and which store statistic it reports. */
const COUNTERS: readonly { name: string; help: string; stat: keyof StoreStats }[] = [
  { name: 'scim_lookup_cache_hits_total', help: 'userName/externalId/displayName eq lookups answered from the LRU cache.', stat: 'lookupHits' },
  { name: 'scim_lookup_cache_misses_total', help: 'eq lookups that went to SQLite.', stat: 'lookupMisses' },
  { name: 'scim_write_batches_total', help: 'Transactions committed (each with one sync).', stat: 'writeBatches' },
  { name: 'scim_write_jobs_total', help: 'Write requests committed through those transactions.', stat: 'writeJobs' },
]

/** Behind the same bearer token as the API: Prometheus sends it with `authorization`. */
export function metricsRoutes(deps: ServiceDeps) {
  return new Elysia().get('/metrics', () => {
    const stats = deps.store.stats()
    const text = COUNTERS.map((c) => `# HELP ${c.name} ${c.help}\n# TYPE ${c.name} counter\n${c.name} ${stats[c.stat]}\n`).join('')
    return new Response(text, { headers: { 'content-type': 'text/plain; version=0.0.4' } })
  })
}
