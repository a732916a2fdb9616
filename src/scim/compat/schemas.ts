// What a body's `schemas` list left to the server (rules schemas-missing, -incomplete, legacy-group-urn).
import { URN_LEGACY_MS_GROUP } from '../constants'
import type { CompatSink } from './rules'

const LEGACY = URN_LEGACY_MS_GROUP.toLowerCase()

/**
 * Compares the `schemas` a POST/PUT body sent with the list computed from the body (RFC 7643 §3
 * wants every URN the representation uses listed). The server ignores the sent list, so each
 * difference is a leniency: none sent, a used URN left out (Entra's custom extensions,
 * entra-wire.md §2.2 Q12), or Entra's legacy group URN (§1.11), which no schema declares.
 */
export function reportSchemas(sent: unknown, computed: readonly string[], fired?: CompatSink): void {
  if (!fired) return
  if (!Array.isArray(sent)) return fired('schemas-missing')
  const listed = new Set(sent.filter((u): u is string => typeof u === 'string').map((u) => u.toLowerCase()))
  if (listed.has(LEGACY)) fired('legacy-group-urn')
  if (computed.some((u) => !listed.has(u.toLowerCase()))) fired('schemas-incomplete')
}
