// The addresses a tenant's tokens are honoured from (--allow-from): IPv4 and IPv6 addresses and CIDR blocks.
import { BlockList, isIP } from 'node:net'

/** A parsed list of ranges; `allows` answers for one peer address as the listener reports it. */
export interface AddressRanges {
  /** The ranges as given, for `tenant show` and messages. */
  readonly ranges: readonly string[]
  /** Where the list was set, for a refusal's message: the tenant's own or the server's. */
  readonly source?: string
  allows(address: string): boolean
}

const PREFIX = /^\d{1,3}$/

/** Why `range` is not an address (`192.0.2.7`, `2001:db8::1`) or a CIDR block (`192.0.2.0/24`), or undefined. */
export function rangeProblem(range: string): string | undefined {
  const [address = '', prefix, extra] = range.split('/')
  const family = isIP(address)
  if (family === 0 || extra !== undefined) return `'${range}' is not an IP address or CIDR block (such as 192.0.2.0/24)`
  if (prefix === undefined) return undefined
  const bits = family === 4 ? 32 : 128
  if (!PREFIX.test(prefix) || Number(prefix) > bits)
    return `'${range}': the prefix length of an IPv${family} block is 0 to ${bits}`
  return undefined
}

/**
 * node:net's BlockList does the matching (prefix arithmetic on both families, and IPv4 peers that
 * a dual-stack listener reports as `::ffff:a.b.c.d` meet IPv4 blocks). Throws on the first range
 * rangeProblem refuses, so a list that does not parse is never a list that lets everyone in.
 */
export function addressRanges(ranges: readonly string[]): AddressRanges {
  const list = new BlockList()
  for (const range of ranges) {
    const problem = rangeProblem(range)
    if (problem) throw new Error(problem)
    const [address = '', prefix] = range.split('/')
    const family = isIP(address) === 4 ? 'ipv4' : 'ipv6'
    if (prefix === undefined) list.addAddress(address, family)
    else list.addSubnet(address, Number(prefix), family)
  }
  return {
    ranges: [...ranges],
    allows(address) {
      const family = isIP(address)
      // No address at all (an in-process request without one) is outside every range.
      return family !== 0 && list.check(address, family === 4 ? 'ipv4' : 'ipv6')
    },
  }
}
