// Prints selftest verdicts: one line per check, then a summary line.
import type { Result, Status } from './runner'

const LABEL: Record<Status, string> = { pass: 'PASS', warn: 'WARN', fail: 'FAIL', skip: 'SKIP' }

/** `PASS  Entra users (default PATCH): create — 201 with an id …` */
export function formatResult(r: Result): string {
  // One line per check, even when a server's error detail spans several.
  return `${LABEL[r.status]}  ${r.name} — ${r.reason.replace(/\s*\n\s*/g, ' ')}`
}

export function summary(results: readonly Result[]): string {
  const n = (s: Status) => results.filter((r) => r.status === s).length
  return `selftest: ${n('pass')} passed, ${n('warn')} warnings, ${n('fail')} failed, ${n('skip')} not run`
}
