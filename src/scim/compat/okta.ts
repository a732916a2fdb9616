// Okta PATCH quirks (RFC 7644 §3.5.2 deviations).

const ECHOED = new Set(['id', 'schemas', 'meta'])

/**
 * Okta sends `{"op":"replace","value":{"id":"…","active":false}}`: the resource `id` echoed in a
 * pathless replace (elimity-com/scim documents the same). `id` is readOnly and already in the URL,
 * so it is ignored rather than answered with `mutability`; so are `schemas` and `meta`, which
 * clients echo when they send a whole resource as the value.
 */
export function isEchoedKey(key: string): boolean {
  return ECHOED.has(key.toLowerCase())
}
