// The text log format: what a client sends never reaches the terminal as a control character.
import { describe, expect, test } from 'bun:test'
import { formatTextLine } from '../../src/log/text-format'
import { makeTestApp, TEST_TOKEN } from '../helpers/app'
import { captureLog } from '../helpers/log-capture'

describe('log/text-format', () => {
  test('a value with a control character is quoted, so JSON escapes it; plain values stay bare', () => {
    const line = formatTextLine({
      time: 't',
      level: 'info',
      msg: 'request',
      query: '\u001b[2J',
      path: '/scim/v2/Users',
    })
    expect(line).toBe('t INFO  request query="\\u001b[2J" path=/scim/v2/Users')
    expect(formatTextLine({ time: 't', level: 'info', msg: 'm', a: 'x\u0007y', b: '\u009b1m' })).toBe(
      't INFO  m a="x\\u0007y" b="\\u009b1m"'
    )
    expect(formatTextLine({ time: 't', level: 'error', msg: 'internal error on GET /x: bad \u001b[31m' })).toBe(
      't ERROR internal error on GET /x: bad \\u001b[31m'
    )
  })

  test("a request's query names, decoded for the log, reach a text line without control characters", async () => {
    const log = captureLog('info', 'text')
    const app = makeTestApp({ logger: log.logger })
    await app.handle(
      new Request('http://localhost/scim/v2/Users?%1B%5B2J%1B%5DX=1', {
        headers: { authorization: `Bearer ${TEST_TOKEN}` },
      })
    )
    const line = log.lines.find((l) => l.includes('path=/scim/v2/Users'))
    expect(line).toBeDefined()
    expect(line).not.toMatch(/\p{Cc}(?<!\n)/u)
    expect(line).toContain('query="\\u001b[2J\\u001b]X"')
  })
})
