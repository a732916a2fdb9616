// The server's logger: pino writing synchronously to stdout (no worker thread), as JSON or text.
import pino from 'pino'
import { textLines } from './text-format'
import type { Logger, LogFormat, LogLevel } from './types'

export type { Logger, LogFormat, LogLevel } from './types'

/** Where log lines go: anything with a synchronous `write` of one JSON line (tests pass a collector). */
export interface LineSink {
  write(line: string): unknown
}

export interface LoggerOptions {
  format: LogFormat
  level: LogLevel
  /** Default: stdout, written synchronously so a line is out before the next request starts. */
  sink?: LineSink
}

/**
 * One logger per server. Its records are flat JSON objects with the level as a word (`"info"`)
 * and an ISO time, which log shippers read without a pino-specific mapping. The text format is
 * made from those same records (text-format.ts), so both formats always carry the same fields.
 */
export function createLogger({ format, level, sink }: LoggerOptions): Logger {
  const out = sink ?? pino.destination({ dest: 1, sync: true })
  return pino(
    {
      level,
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    format === 'text' ? textLines(out) : out
  )
}
