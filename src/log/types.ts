// The logger as the server uses it, apart from pino so the package's declarations stop here.
import type { RequestRecord } from './request-line'

export type { RequestRecord } from './request-line'

export const LOG_FORMATS = ['json', 'text'] as const
export type LogFormat = (typeof LOG_FORMATS)[number]
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const
export type LogLevel = (typeof LOG_LEVELS)[number]

/**
 * What the server calls on its logger: a pino logger (src/log/logger.ts createLogger) fits, and
 * so does any object with these methods, for an embedding application with a logger of its own.
 * Records are flat objects; `msg` is the message.
 */
export interface Logger {
  isLevelEnabled(level: LogLevel): boolean
  info(record: object, msg: string): void
  error(record: object, msg: string): void
  /**
   * One request's line at info level, the same as `info(record, 'request')`: createLogger's
   * logger writes it without pino's serializer (the line every request pays for); others need not.
   */
  request?(record: RequestRecord): void
}
