// A token's label for logs, metrics and rate limits: a short fingerprint, never the token.
import { hashToken } from '../auth/tokens'

/**
 * The first 8 hex characters of the token's SHA-256 (the hash the server stores anyway): enough
 * to tell an admin's few tokens apart, far too few to find the token from. Labels of recent
 * tokens are kept (one per token in use, as the verified tokens in plugins/auth.ts: 50 tenants'
 * tokens in rotation emptied a memo of 8 on nearly every request) so the steady stream of
 * requests with one token hashes it once. Only tokens that passed authentication get here.
 */
const recent = new Map<string, string>()
const RECENT_MAX = 1024

export function tokenLabel(token: string): string {
  let label = recent.get(token)
  if (label === undefined) {
    label = hashToken(token).toString('hex', 0, 4)
    if (recent.size >= RECENT_MAX) recent.clear()
    recent.set(token, label)
  }
  return label
}
