// Bearer tokens (RFC 6750): generated strong, stored only as SHA-256 hashes, compared in constant time; shared by the CLI and the HTTP check.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'

export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest()
}

/** 256 bits of randomness, URL-safe, so it pastes cleanly into Entra's Secret Token field. */
export function generateToken(): string {
  return randomBytes(32).toString('base64url')
}

/** Compares hashes (fixed length) with timingSafeEqual, checking every candidate. */
export function tokenMatches(token: string, hashes: readonly Buffer[]): boolean {
  const presented = hashToken(token)
  let ok = false
  for (const h of hashes) ok = timingSafeEqual(presented, h) || ok
  return ok
}
