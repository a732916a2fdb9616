// --allow-from's ranges: addresses and CIDR blocks of both families, and what they refuse.
import { describe, expect, test } from 'bun:test'
import { addressRanges, rangeProblem } from '../../src/auth/address-ranges'

describe('address ranges', () => {
  test('IPv4 and IPv6 blocks and single addresses match what they hold and nothing else', () => {
    const ranges = addressRanges(['192.0.2.0/24', '2001:db8::/32', '198.51.100.7'])
    for (const inside of ['192.0.2.0', '192.0.2.255', '2001:db8::1', '2001:db8:ffff::9', '198.51.100.7'])
      expect(ranges.allows(inside)).toBe(true)
    for (const outside of ['192.0.3.1', '10.0.0.1', '2001:db9::1', '::1', '198.51.100.8'])
      expect(ranges.allows(outside)).toBe(false)
  })

  test('an IPv4 peer reported by a dual-stack listener as ::ffff:a.b.c.d meets the IPv4 blocks', () => {
    const ranges = addressRanges(['127.0.0.0/8'])
    expect(ranges.allows('::ffff:127.0.0.1')).toBe(true)
    expect(ranges.allows('::ffff:10.0.0.1')).toBe(false)
  })

  test('no address (an in-process request without a peer) is outside every range, even 0.0.0.0/0', () => {
    const any = addressRanges(['0.0.0.0/0', '::/0'])
    expect(any.allows('203.0.113.9')).toBe(true)
    expect(any.allows('unknown')).toBe(false)
    expect(any.allows('')).toBe(false)
  })

  test('a bad range is named, and a list holding one is refused whole', () => {
    for (const bad of [
      '',
      'scim.example.com',
      '192.0.2.0/',
      '192.0.2.0/33',
      '2001:db8::/129',
      '192.0.2.0/8/8',
      '10.0.0.0/-1',
      '10.0.0.0/0x8',
      '300.1.1.1',
    ])
      expect(rangeProblem(bad)).toContain(bad)
    expect(rangeProblem('10.0.0.0/8')).toBeUndefined()
    expect(rangeProblem('::1')).toBeUndefined()
    expect(() => addressRanges(['10.0.0.0/8', 'nope'])).toThrow("'nope' is not an IP address or CIDR block")
  })
})
