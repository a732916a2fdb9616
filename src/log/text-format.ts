// The `text` log format: pino's JSON records rewritten as one readable `key=value` line each.
import type { LineSink } from './logger'

/** Fields printed in the line's fixed head, not as key=value. */
const HEAD = new Set(['time', 'level', 'msg'])

function shown(value: unknown): string {
  // Lists (the compat rules that fired) read as `a,b`; other objects as their JSON.
  const list = Array.isArray(value) && value.every((v) => typeof v === 'string')
  const text = typeof value === 'string' ? value : list ? value.join(',') : JSON.stringify(value)
  // Quoted only when needed, so `path=/scim/v2/Users` stays greppable as it is. Control
  // characters are quoted too, which escapes them: a client's query name (decoded for the log)
  // such as `%1B[2J` would otherwise reach the terminal reading this format as an escape sequence.
  return /^[^\s"=\p{Cc}]+$/u.test(text) ? text : quoted(text)
}

/** JSON's quoting, with DEL and the C1 controls (which JSON leaves as they are) escaped as well. */
function quoted(text: string): string {
  return JSON.stringify(text).replace(/[\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

/**
 * `2026-12-01T10:00:00.000Z INFO  request id=… method=GET path=/scim/v2/Users status=200 ms=1.3`.
 * A `stack` (debug level only) follows on its own indented lines. Pino has no synchronous pretty
 * printer of its own (pino-pretty runs as a transport or needs a dependency), so this is a
 * destination that reads each JSON line pino wrote.
 */
export function formatTextLine(record: Record<string, unknown>): string {
  // The message may carry a client's text (an internal error's cause): its controls are escaped too.
  const msg = String(record.msg ?? '').replace(/\p{Cc}/gu, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
  let line = `${record.time} ${String(record.level).toUpperCase().padEnd(5)} ${msg}`
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
