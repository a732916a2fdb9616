// GET /metrics: Prometheus text counters (lookup-cache hit ratio, group-commit batching).
import { Elysia } from 'elysia'
import type { ServiceDeps } from '../../service/context'

/** Behind the same bearer token as the API: Prometheus sends it with `authorization`. */
export function metricsRoutes(deps: ServiceDeps) {
  return new Elysia().get('/metrics', () => {
    const s = deps.store.stats()
    const lines = [
      '# HELP scim_lookup_cache_hits_total userName/externalId/displayName eq lookups answered from the LRU cache.',
      '# TYPE scim_lookup_cache_hits_total counter',
      `scim_lookup_cache_hits_total ${s.lookupHits}`,
      '# HELP scim_lookup_cache_misses_total eq lookups that went to SQLite.',
      '# TYPE scim_lookup_cache_misses_total counter',
      `scim_lookup_cache_misses_total ${s.lookupMisses}`,
      '# HELP scim_write_batches_total Transactions committed (each with one sync).',
      '# TYPE scim_write_batches_total counter',
      `scim_write_batches_total ${s.writeBatches}`,
      '# HELP scim_write_jobs_total Write requests committed through those transactions.',
      '# TYPE scim_write_jobs_total counter',
      `scim_write_jobs_total ${s.writeJobs}`,
    ]
    return new Response(`${lines.join('\n')}\n`, { headers: { 'content-type': 'text/plain; version=0.0.4' } })
  })
}
