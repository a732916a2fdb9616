// `scim-server selftest` on the command line: --url, one --token, --insecure.
import { describe, expect, test } from 'bun:test'
import { parseCommandLine, UsageError } from '../../src/cli/args'

describe('selftest arguments', () => {
  test('--url, --token and --insecure settle into the config', () => {
    const c = parseCommandLine(
      ['selftest', '--url', 'https://scim.example.com/scim/v2', '--token', 't', '--insecure'],
      {}
    )
    expect(c).toMatchObject({
      command: 'selftest',
      url: 'https://scim.example.com/scim/v2',
      tokens: ['t'],
      insecure: true,
    })
    expect(parseCommandLine(['selftest', '--url', 'http://h/scim/v2', '--token', 't'], {}).insecure).toBe(false)
  })

  test('the token may come from SCIM_TOKEN', () => {
    expect(parseCommandLine(['selftest', '--url', 'http://h/scim/v2'], { SCIM_TOKEN: 'env' }).tokens).toEqual(['env'])
  })

  test.each([
    [['selftest', '--token', 't'], /selftest needs --url/],
    [['selftest', '--url', 'scim.example.com', '--token', 't'], /--url must be an absolute http/],
    [['selftest', '--url', 'ftp://h/scim', '--token', 't'], /--url must be an http/],
    [['selftest', '--url', 'http://h/scim/v2'], /exactly one --token/],
    [['selftest', '--url', 'http://h/scim/v2', '--token', 'a', '--token', 'b'], /exactly one --token/],
  ])('%p is a usage error', (argv, message) => {
    expect(() => parseCommandLine(argv, {})).toThrow(UsageError)
    expect(() => parseCommandLine(argv, {})).toThrow(message)
  })
})
