// The URLs the start banner prints for a listen address: an IPv6 literal goes in brackets (RFC 3986 §3.2.2).

/** `host` as the host of a URL: `::1` → `[::1]`; a name or IPv4 address as it is. */
export function urlHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host
}

/**
 * `scheme://host:port`, the origin a client reaches a listener by.
 * @example listenOrigin('http', '::1', 8080) // 'http://[::1]:8080'
 */
export function listenOrigin(scheme: string, host: string, port: number | undefined): string {
  return `${scheme}://${urlHost(host)}:${port}`
}
