// The server's logger: pino writing synchronously to stdout (no worker thread), as JSON or text.
import { writeSync } from 'node:fs'
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
  /** Default: stdout, written synchronously at the end of each event-loop turn (stdoutPerTurn). */
  sink?: LineSink
}

/**
 * Standard output, one synchronous write per event-loop turn instead of one per line: under load
 * a turn answers several requests, and a write per line cost a system call per request plus a
 * wake-up of whatever reads the pipe (measured: a write per line halved read throughput). A line
 * waits at most until the turn ends; lines still pending when the process exits are written then.
 */
function stdoutPerTurn(): LineSink {
  let pending: string[] = []
  const flush = () => {
    if (pending.length === 0) return
    let bytes = Buffer.from(pending.join(''))
    pending = []
    while (bytes.length > 0) {
      try {
        bytes = bytes.subarray(writeSync(1, bytes))
      } catch (err) {
        // A non-blocking pipe that is full: try again, as pino's own sync destination does.
        if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err
      }
    }
  }
  process.on('exit', flush)
  return {
    write(line: string) {
      if (pending.push(line) === 1) setImmediate(flush)
    },
  }
}

/**
 * One logger per server. Its records are flat JSON objects with the level as a word (`"info"`)
 * and an ISO time, which log shippers read without a pino-specific mapping. The text format is
 * made from those same records (text-format.ts), so both formats always carry the same fields.
 */
export function createLogger({ format, level, sink }: LoggerOptions): Logger {
  const out = sink ?? stdoutPerTurn()
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
