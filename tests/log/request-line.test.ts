// The hand-built request line is the very text pino writes for the same record, in both formats.
import { describe, expect, test } from 'bun:test'
import { createLogger, type LogFormat } from '../../src/log/logger'
import { msText, type RequestRecord } from '../../src/log/request-line'

const base: RequestRecord = {
  reqId: '3fa91c2e-1a',
  tenant: 'default',
  token: 'entra',
  method: 'GET',
  path: '/scim/v2/Users/0b5f4b53-5c1d-4c59-9e3c-3b4d5e6f7a8b',
  query: 'filter,count',
  route: '/scim/v2/Users/:id',
  status: 200,
  ms: 0.12,
  resource: '0b5f4b53-5c1d-4c59-9e3c-3b4d5e6f7a8b',
  compat: ['entra-op-case', 'null-ref'],
}

const hostile = [
  'a"b',
  'back\\slash',
  'line\nbreak',
  'tab\there',
  '\u0000\u001f\u007f',
  'é ü 日本',
  '😀',
  `${'x'.repeat(60)}"`,
  '',
]

const records: RequestRecord[] = [
  base,
  { ...base, token: undefined, query: undefined, resource: undefined, compat: undefined },
  { ...base, status: 401, ms: 1234.5, compat: [] },
  // Durations as the request log rounds them (hundredths), and others.
  ...[0, 0.01, 0.07, 0.1, 0.29, 1, 1.1, 12.34, 100.05, 99999.99, 1.23456, 1e-7, 5e21].map((ms) => ({ ...base, ms })),
  ...hostile.flatMap((text) => [{ ...base, path: text, query: text, token: text, resource: text, compat: [text] }]),
]

/** The line pino writes for `info(record, 'request')`, and the one `request(record)` writes, from one logger. */
function bothLines(format: LogFormat, record: RequestRecord): [string, string] {
  const lines: string[] = []
  const logger = createLogger({ format, level: 'info', sink: { write: (line) => lines.push(line) } })
  logger.info(record, 'request')
  logger.request?.(record)
  expect(lines).toHaveLength(2)
  // Both lines were made within the same millisecond or the next: compare them without their times.
  return lines.map((line) => line.replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/, 'TIME')) as [string, string]
}

describe('requestLineJson', () => {
  for (const format of ['json', 'text'] as const) {
    test(`${format}: the same text as pino's for ${records.length} records`, () => {
      for (const record of records) {
        const [pinoLine, ours] = bothLines(format, record)
        expect(ours).toBe(pinoLine)
      }
    })
  }

  test('a lone surrogate is escaped as well-formed JSON, so the line still parses', () => {
    const lines: string[] = []
    const logger = createLogger({ format: 'json', level: 'info', sink: { write: (line) => lines.push(line) } })
    logger.request?.({ ...base, path: 'a\ud800b' })
    expect(JSON.parse(lines[0]!).path).toBe('a\ud800b')
    expect(lines[0]).toContain('\\ud800')
  })

  test('nothing is written below the logger level', () => {
    const lines: string[] = []
    const logger = createLogger({ format: 'json', level: 'warn', sink: { write: (line) => lines.push(line) } })
    logger.request?.(base)
    expect(lines).toEqual([])
  })
})

describe('msText', () => {
  test('every duration in hundredths is written as JSON writes it', () => {
    for (let hundredths = 0; hundredths < 200_000; hundredths++) {
      const ms = hundredths / 100
      expect(msText(ms)).toBe(JSON.stringify(ms))
    }
    for (const ms of [1.23456, 1e-7, 5e21, 123456789.12, 0.005]) expect(msText(ms)).toBe(JSON.stringify(ms))
  })
})

describe('the fields written without escaping', () => {
  test("a client's x-request-id with characters JSON escapes is replaced, so reqId is always safe text", async () => {
    const { requestId } = await import('../../src/http/request-id')
    for (const hostile of ['a"b', 'back\\slash', 'line\nbreak', '\u0000', 'é', 'x'.repeat(65)]) {
      expect(requestId(hostile)).not.toBe(hostile)
      expect(requestId(hostile)).toMatch(/^[A-Za-z0-9._:-]+$/)
    }
    expect(requestId('proxy-id_1.2:3')).toBe('proxy-id_1.2:3')
  })
})
