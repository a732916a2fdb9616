// Turns the raw measurements into medians, ratios and PASS/FAIL rows; prints the table.
import type { Measurement, SizeState } from './phases'
import { PG_LABELS, pgRows } from './pg-report'

export interface Row {
  scenario: string
  size: number
  rps: number | null
  p50Ms: number | null
  p99Ms: number | null
  ratio: number | null // to the baseline (median of per-round ratios) or the row's own measure
  ratioLabel: string
  target: string
  verdict: 'PASS' | 'FAIL' | ''
  non2xx: number
  /** wrk socket errors (connect/read/write/timeout) summed over the measured runs. */
  sockErrors: number
  rounds: number
}

const LABELS: Record<string, string> = {
  'read.filter-eq': '(1) GET filter userName eq',
  'read.get-id': '(2) GET /Users/{id}',
  'read.compound': '(3) GET compound filter',
  'read.paged': '(4) GET paged count=50',
  'baseline.read': '    read baseline (Bun.serve+sqlite)',
  'write.post': '(5) POST /Users',
  'baseline.write': '    write baseline (INSERT, WAL NORMAL)',
  'write.patch-user': '(6) PATCH user (Entra)',
  'write.member-add-100': '(7) PATCH +1 member, group 100',
  'write.member-add-100k': '(8) PATCH +1 member, group 100k',
  'journal.post': '    (5) journal off (ratio: on ÷ off)',
  'journal.patch-user': '    (6) journal off (ratio: on ÷ off)',
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

export function pick(ms: Measurement[], scenario: string, size: number, target: Measurement['target']): Measurement[] {
  return ms.filter((m) => m.scenario === scenario && m.size === size && m.target === target)
}

export function stats(runs: Measurement[]): Pick<Row, 'rps' | 'p50Ms' | 'p99Ms' | 'non2xx' | 'sockErrors' | 'rounds'> {
  if (runs.length === 0) return { rps: null, p50Ms: null, p99Ms: null, non2xx: 0, sockErrors: 0, rounds: 0 }
  return {
    rps: median(runs.map((r) => r.result.rps)),
    p50Ms: median(runs.map((r) => r.result.p50Ms)),
    p99Ms: median(runs.map((r) => r.result.p99Ms)),
    non2xx: runs.reduce((n, r) => n + r.result.non2xx, 0),
    sockErrors: runs.reduce((n, r) => n + Object.values(r.result.socketErrors).reduce((a, b) => a + b, 0), 0),
    rounds: runs.length,
  }
}

/**
 * Median over rounds of (scim req/s ÷ baseline req/s measured in the same round): the baseline run
 * made beside the scenario when there is one (`pair`), else the round's.
 */
export function pairedRatio(scim: Measurement[], base: Measurement[]): number | null {
  const ratios = scim.flatMap((s) => {
    const b =
      base.find((x) => x.round === s.round && x.pair === s.scenario) ??
      base.find((x) => x.round === s.round && x.pair === undefined)
    return b ? [s.result.rps / b.result.rps] : []
  })
  return ratios.length ? median(ratios) : null
}

export function verdict(ok: boolean | null): Row['verdict'] {
  return ok === null ? '' : ok ? 'PASS' : 'FAIL'
}

export function summarize(ms: Measurement[], sizes: number[]): Row[] {
  const rows: Row[] = []
  for (const size of sizes) {
    const baseRead = pick(ms, 'read.filter-eq', size, 'baseline')
    for (const id of ['read.filter-eq', 'read.get-id', 'read.compound', 'read.paged']) {
      const runs = pick(ms, id, size, 'scim')
      if (!runs.length) continue
      const ratio = pairedRatio(runs, baseRead)
      const targeted = id === 'read.filter-eq' || id === 'read.get-id'
      rows.push({
        scenario: id,
        size,
        ...stats(runs),
        ratio,
        ratioLabel: '× baseline',
        target: targeted ? '≥ 0.60× baseline' : '',
        verdict: targeted && ratio !== null ? verdict(ratio >= 0.6) : '',
      })
    }
    if (baseRead.length)
      rows.push({
        scenario: 'baseline.read',
        size,
        ...stats(baseRead),
        ratio: null,
        ratioLabel: '',
        target: '',
        verdict: '',
      })
    const post = pick(ms, 'write.post', size, 'scim')
    const basePost = pick(ms, 'write.post', size, 'baseline')
    if (post.length) {
      const ratio = pairedRatio(post, basePost)
      rows.push({
        scenario: 'write.post',
        size,
        ...stats(post),
        ratio,
        ratioLabel: '× baseline',
        target: '≥ 0.65× baseline',
        verdict: ratio === null ? '' : verdict(ratio >= 0.65),
      })
    }
    if (basePost.length)
      rows.push({
        scenario: 'baseline.write',
        size,
        ...stats(basePost),
        ratio: null,
        ratioLabel: '',
        target: '',
        verdict: '',
      })
    for (const id of ['write.patch-user', 'write.member-add-100', 'write.member-add-100k']) {
      const runs = pick(ms, id, size, 'scim')
      if (!runs.length) continue
      const s = stats(runs)
      rows.push({
        scenario: id,
        size,
        ...s,
        ratio: null,
        ratioLabel: '',
        target: '≥ 5000 req/s',
        verdict: verdict(s.rps! >= 5000),
      })
    }
    // The journal's cost: the same binary and round with SCIM_JOURNAL=off as the baseline.
    for (const id of ['write.post', 'write.patch-user']) {
      const on = pick(ms, id, size, 'scim')
      const off = pick(ms, id, size, 'nojournal')
      if (!on.length || !off.length) continue
      const ratio = pairedRatio(on, off)
      rows.push({
        scenario: id.replace('write.', 'journal.'),
        size,
        ...stats(off),
        ratio,
        ratioLabel: '× journal off',
        target: '≥ 0.90× journal off',
        verdict: ratio === null ? '' : verdict(ratio >= 0.9),
      })
    }
    rows.push(...pgRows(ms, size))
  }
  return rows
}

export interface Extra {
  label: string
  value: string
  target: string
  verdict: Row['verdict']
}

/** Targets that compare rows: p99 growth with size, member-add p50 ratio, RSS. */
export function crossTargets(rows: Row[], sizes: number[], states: SizeState[]): Extra[] {
  const out: Extra[] = []
  const small = Math.min(...sizes)
  const large = Math.max(...sizes)
  if (large > small) {
    for (const id of ['read.filter-eq', 'read.get-id', 'read.compound', 'read.paged']) {
      const a = rows.find((r) => r.scenario === id && r.size === small)
      const b = rows.find((r) => r.scenario === id && r.size === large)
      if (!a?.p99Ms || !b?.p99Ms) continue
      const x = b.p99Ms / a.p99Ms
      out.push({
        label: `${LABELS[id]!.trim()}: p99 ${fmtSize(large)} / p99 ${fmtSize(small)}`,
        value: `${x.toFixed(2)} (${b.p99Ms.toFixed(2)} / ${a.p99Ms.toFixed(2)} ms)`,
        target: '≤ 2.0',
        verdict: verdict(x <= 2),
      })
    }
  }
  for (const size of sizes) {
    const a = rows.find((r) => r.scenario === 'write.member-add-100' && r.size === size)
    const b = rows.find((r) => r.scenario === 'write.member-add-100k' && r.size === size)
    if (a?.p50Ms && b?.p50Ms) {
      const x = b.p50Ms / a.p50Ms
      out.push({
        label: `(7/8) p50 group 100k / p50 group 100 @ ${fmtSize(size)}`,
        value: `${x.toFixed(2)} (${b.p50Ms.toFixed(2)} / ${a.p50Ms.toFixed(2)} ms)`,
        target: '≤ 1.30',
        verdict: verdict(x <= 1.3),
      })
    }
  }
  for (const st of states) {
    if (!st.rss.length) continue
    const max = Math.max(...st.rss.map((r) => r.mb))
    const applies = st.size >= 1_000_000
    out.push({
      label: `scim-server VmRSS after reads @ ${fmtSize(st.size)} (max of ${st.rss.length})`,
      value: `${max.toFixed(1)} MB`,
      target: applies ? '≤ 250 MB' : '(target is for 1M)',
      verdict: applies ? verdict(max <= 250) : '',
    })
  }
  return out
}

export function fmtSize(n: number): string {
  return n >= 1_000_000 && n % 1_000_000 === 0
    ? `${n / 1_000_000}M`
    : n >= 1000 && n % 1000 === 0
      ? `${n / 1000}k`
      : String(n)
}

function table(header: string[], body: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)))
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n')
}

export function render(rows: Row[], extras: Extra[]): string {
  const n = (v: number | null, d = 2) => (v === null ? '—' : v.toFixed(d))
  const main = table(
    ['scenario', 'size', 'req/s', 'p50 ms', 'p99 ms', 'ratio', 'target', 'result', 'non-2xx', 'sock err', 'runs'],
    rows.map((r) => [
      LABELS[r.scenario] ?? PG_LABELS[r.scenario] ?? r.scenario,
      fmtSize(r.size),
      r.rps === null ? '—' : Math.round(r.rps).toString(),
      n(r.p50Ms),
      n(r.p99Ms),
      r.ratio === null ? '' : `${r.ratio.toFixed(2)}×`,
      r.target,
      r.verdict,
      String(r.non2xx),
      String(r.sockErrors),
      String(r.rounds),
    ])
  )
  const cross = extras.length
    ? '\n\n' +
      table(
        ['cross-size / other targets', 'value', 'target', 'result'],
        extras.map((e) => [e.label, e.value, e.target, e.verdict])
      )
    : ''
  return main + cross
}
