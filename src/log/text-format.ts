// The `text` log format: pino's JSON records rewritten as one readable `key=value` line each.
import type { LineSink } from './logger'

/** Fields printed in the line's fixed head, not as key=value. */
const HEAD = new Set(['time', 'level', 'msg'])

function shown(value: unknown): string {
  // Lists (the compat rules that fired) read as `a,b`; other objects as their JSON.
  const list = Array.isArray(value) && value.every((v) => typeof v === 'string')
  const text = typeof value === 'string' ? value : list ? value.join(',') : JSON.stringify(value)
  // Quoted only when needed, so `path=/scim/v2/Users` stays greppable as it is.
  return /^[^\s"=]+$/.test(text) ? text : JSON.stringify(text)
}

/**
 * `2026-12-01T10:00:00.000Z INFO  request id=… method=GET path=/scim/v2/Users status=200 ms=1.3`.
 * A `stack` (debug level only) follows on its own indented lines. Pino has no synchronous pretty
 * printer of its own (pino-pretty runs as a transport or needs a dependency), so this is a
 * destination that reads each JSON line pino wrote.
 */
export function formatTextLine(record: Record<string, unknown>): string {
  let line = `${record.time} ${String(record.level).toUpperCase().padEnd(5)} ${record.msg ?? ''}`
  let stack = ''
  for (const [key, value] of Object.entries(record)) {
    if (HEAD.has(key) || value === undefined) continue
    if (key === 'stack' && typeof value === 'string') stack = `\n    ${value.split('\n').join('\n    ')}`
    else line += ` ${key}=${shown(value)}`
  }
  return line + stack
}

export function textLines(out: LineSink): LineSink {
  return { write: (json: string) => out.write(`${formatTextLine(JSON.parse(json))}\n`) }
}
