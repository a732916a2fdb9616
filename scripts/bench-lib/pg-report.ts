// The PostgreSQL rows of the bench table: the store's filter GET and durable POST as ratios to the bare Bun + PostgreSQL baseline.
import { PG_FILTER, PG_POST } from './pg-phases'
import type { Measurement } from './phases'
import { pairedRatio, pick, type Row, stats, verdict } from './report'

export const PG_LABELS: Record<string, string> = {
  [PG_FILTER]: '(1) GET filter userName eq, PostgreSQL',
  'pg.baseline.read': '    PostgreSQL read baseline (Bun.serve+Bun SQL)',
  [PG_POST]: '(5) POST /Users, PostgreSQL',
  'pg.baseline.write': '    PostgreSQL write baseline (INSERT, autocommit)',
}

/** The targets of issue 14: ≥ 0.5× the baseline for filter GET, ≥ 0.6× for durable POST. */
const TARGETS: [scenario: string, baselineRow: string, min: number][] = [
  [PG_FILTER, 'pg.baseline.read', 0.5],
  [PG_POST, 'pg.baseline.write', 0.6],
]

export function pgRows(ms: Measurement[], size: number): Row[] {
  const rows: Row[] = []
  for (const [scenario, baselineRow, min] of TARGETS) {
    const runs = pick(ms, scenario, size, 'scim')
    const base = pick(ms, scenario, size, 'baseline')
    if (runs.length) {
      const ratio = pairedRatio(runs, base)
      rows.push({
        scenario,
        size,
        ...stats(runs),
        ratio,
        ratioLabel: '× baseline',
        target: `≥ ${min.toFixed(2)}× baseline`,
        verdict: ratio === null ? '' : verdict(ratio >= min),
      })
    }
    if (base.length)
      rows.push({ scenario: baselineRow, size, ...stats(base), ratio: null, ratioLabel: '', target: '', verdict: '' })
  }
  return rows
}
