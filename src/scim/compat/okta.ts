// Okta PATCH quirks (RFC 7644 §3.5.2 deviations).

/**
 * Okta sends `{"op":"replace","value":{"id":"…","active":false}}`: the resource `id` echoed in a
 * pathless replace (elimity-com/scim documents the same). `id` is readOnly and already in the URL,
 * so it is dropped rather than answered with `mutability`; so are `schemas` and `meta`, which
 * clients echo when they send a whole resource as the value.
 */
export function dropEchoedReadOnly(value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(value)) {
    const lower = k.toLowerCase()
    if (lower === 'id' || lower === 'schemas' || lower === 'meta') continue
    out[k] = v
  }
  return out
}
