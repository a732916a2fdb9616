// A logger whose lines are kept in memory, parsed, for tests that read what the server logs.
import { createLogger, type LogFormat, type Logger, type LogLevel } from '../../src/log/logger'

export interface LogCapture {
  logger: Logger
  /** Every line written, as written. */
  lines: string[]
  /** The JSON lines, parsed (json format only). */
  records(): Record<string, unknown>[]
}

export function captureLog(level: LogLevel = 'info', format: LogFormat = 'json'): LogCapture {
  const lines: string[] = []
  const logger = createLogger({ format, level, sink: { write: (line: string) => lines.push(line) } })
  return { logger, lines, records: () => lines.map((line) => JSON.parse(line)) }
}
