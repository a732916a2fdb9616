// Command line: flags, environment twins, defaults, and one-line usage errors.
import { describe, expect, test } from 'bun:test'
import { parseCommandLine, USAGE, UsageError } from '../../src/cli/args'
import { DEFAULT_LIMITS, LIMIT_SETTINGS } from '../../src/scim/limits'

describe('cli/args', () => {
  test('defaults serve on 8080, all interfaces, ./scim.db, full durability', () => {
    const c = parseCommandLine([], {})
    expect(c).toMatchObject({
      command: 'serve',
      port: 8080,
      host: '0.0.0.0',
      db: './scim.db',
      tokens: [],
      durability: 'full',
    })
  })

  test('flags win over their environment twins', () => {
    const c = parseCommandLine(['serve', '--port', '9000', '--token', 'a', '--token', 'b'], {
      SCIM_PORT: '7000',
      SCIM_TOKEN: 'z',
      SCIM_DB: '/tmp/x.db',
    })
    expect(c.port).toBe(9000)
    expect(c.tokens).toEqual(['a', 'b'])
    expect(c.db).toBe('/tmp/x.db')
  })

  test('list variables are comma-separated', () => {
    expect(parseCommandLine([], { SCIM_SCHEMA_PACKS: 'alertmedia, atmos' }).schemaPacks).toEqual([
      'alertmedia',
      'atmos',
    ])
  })

  test('port 443 without a certificate stops with a message about HTTPS', () => {
    expect(() => parseCommandLine(['--port', '443'], {})).toThrow(/HTTPS.*--tls-cert/)
  })

  test.each([
    [['--port', 'eighty'], /--port must be a whole number/],
    [['--bogus'], /Unknown option.*--help/i],
    [['launch'], /unknown command 'launch'/],
    [['--tls-cert', 'c.pem'], /go together/],
    [['--durability', 'maybe'], /full or normal/],
    [['--token', ''], /--token must be one word/],
    [['--base-url', 'scim.example.com/scim/v2'], /--base-url must be an absolute/],
    [['--base-url', 'ftp://scim.example.com/scim/v2'], /--base-url must be an https:\/\/ or http:\/\/ URL/],
    [['--base-url', 'https://scim.example.com/scim/v2?aadOptscim062020'], /without a query or fragment/],
    [['--base-url', 'https://scim.example.com/scim/v2#x'], /without a query or fragment/],
    [['--token', 'good', '--token', 'two words'], /--token must be one word/],
  ])('%p is a usage error', (argv, message) => {
    expect(() => parseCommandLine(argv, {})).toThrow(UsageError)
    expect(() => parseCommandLine(argv, {})).toThrow(message)
  })

  test('--base-url keeps an absolute http(s) URL as given', () => {
    expect(parseCommandLine(['--base-url', 'https://scim.example.com/scim/v2/'], {}).baseUrl).toBe(
      'https://scim.example.com/scim/v2/'
    )
    expect(parseCommandLine([], { SCIM_BASE_URL: 'http://10.0.0.5:8080/proxy/scim' }).baseUrl).toBe(
      'http://10.0.0.5:8080/proxy/scim'
    )
  })

  test('--help and --version', () => {
    expect(parseCommandLine(['--help'], {}).command).toBe('help')
    expect(parseCommandLine(['-v'], {}).command).toBe('version')
  })
})

test('--debug and SCIM_DEBUG are --log-level debug; 0/false/no/off leave the level at info', () => {
  expect(parseCommandLine([], {}).logLevel).toBe('info')
  expect(parseCommandLine(['--debug'], {}).logLevel).toBe('debug')
  expect(parseCommandLine([], { SCIM_DEBUG: '1' }).logLevel).toBe('debug')
  for (const off of ['0', 'false', 'No', 'off']) expect(parseCommandLine([], { SCIM_DEBUG: off }).logLevel).toBe('info')
  // An explicit level wins over the alias.
  expect(parseCommandLine(['--debug', '--log-level', 'warn'], {}).logLevel).toBe('warn')
})

test('--log-level, --log-format and their environment twins take only the known words', () => {
  expect(parseCommandLine(['--log-level', 'error'], {}).logLevel).toBe('error')
  expect(parseCommandLine([], { SCIM_LOG_LEVEL: 'warn' }).logLevel).toBe('warn')
  expect(parseCommandLine([], {}).logFormat).toBeUndefined()
  expect(parseCommandLine(['--log-format', 'text'], {}).logFormat).toBe('text')
  expect(parseCommandLine([], { SCIM_LOG_FORMAT: 'json' }).logFormat).toBe('json')
  expect(() => parseCommandLine(['--log-level', 'verbose'], {})).toThrow(
    "--log-level must be debug, info, warn, error, got 'verbose'"
  )
  expect(() => parseCommandLine([], { SCIM_LOG_FORMAT: 'pretty' })).toThrow(
    "--log-format must be json, text, got 'pretty'"
  )
})

test('--metrics-listen binds loopback unless it names a host; --rate-limit is a whole number, 0 by default', () => {
  expect(parseCommandLine([], {}).metricsListen).toBeUndefined()
  expect(parseCommandLine(['--metrics-listen', '9464'], {}).metricsListen).toEqual({ host: '127.0.0.1', port: 9464 })
  expect(parseCommandLine(['--metrics-listen', '0.0.0.0:9464'], {}).metricsListen).toEqual({
    host: '0.0.0.0',
    port: 9464,
  })
  expect(parseCommandLine([], { SCIM_METRICS_LISTEN: '[::1]:9464' }).metricsListen).toEqual({ host: '::1', port: 9464 })
  expect(() => parseCommandLine(['--metrics-listen', 'host:'], {})).toThrow(
    '--metrics-listen must be PORT or HOST:PORT'
  )
  expect(parseCommandLine([], {}).rateLimit).toBe(0)
  expect(parseCommandLine(['--rate-limit', '25'], {}).rateLimit).toBe(25)
  expect(parseCommandLine([], { SCIM_RATE_LIMIT: '5' }).rateLimit).toBe(5)
  expect(() => parseCommandLine(['--rate-limit=-1'], {})).toThrow('--rate-limit must be a whole number')
})

test('--allow-from takes addresses and CIDR blocks, repeated or comma-separated; none by default', () => {
  expect(parseCommandLine([], {}).allowFrom).toEqual([])
  expect(parseCommandLine(['--allow-from', '192.0.2.0/24', '--allow-from', '::1'], {}).allowFrom).toEqual([
    '192.0.2.0/24',
    '::1',
  ])
  expect(parseCommandLine([], { SCIM_ALLOW_FROM: '10.0.0.0/8, 2001:db8::/32' }).allowFrom).toEqual([
    '10.0.0.0/8',
    '2001:db8::/32',
  ])
  expect(() => parseCommandLine(['--allow-from', 'scim.example.com'], {})).toThrow('--allow-from: ')
})

describe('cli/args limits', () => {
  test('every limit has a flag and an environment twin, defaults from src/scim/limits.ts', () => {
    expect(parseCommandLine([], {}).limits).toEqual({ ...DEFAULT_LIMITS })
    const c = parseCommandLine(['--max-depth', '32', '--max-document-bytes', '65536'], {
      SCIM_MAX_DEPTH: '16',
      SCIM_MAX_REQUEST_BYTES: '2048',
      SCIM_MAX_RESPONSE_BYTES: '4096',
      SCIM_CACHE_BYTES: '8192',
      SCIM_DB_MMAP_BYTES: '1073741824',
    })
    expect(c.limits).toEqual({
      maxDepth: 32,
      maxDocumentBytes: 65536,
      maxRequestBytes: 2048,
      maxResponseBytes: 4096,
      cacheBytes: 8192,
      filterCacheBytes: 8 * 1_048_576,
      maxBulkOperations: 1000,
      maxPatchOperations: 1000,
      maxPatchElements: 250_000,
      dbMmapBytes: 1073741824,
    })
    for (const s of Object.values(LIMIT_SETTINGS)) expect(USAGE).toContain(`--${s.flag}`)
  })

  test('a limit out of its range is a usage error naming the flag', () => {
    expect(() => parseCommandLine(['--max-depth', '5000'], {})).toThrow(
      /--max-depth must be a whole number from 8 to 512/
    )
    expect(() => parseCommandLine([], { SCIM_MAX_REQUEST_BYTES: '1k' })).toThrow(/--max-request-bytes/)
  })
})
