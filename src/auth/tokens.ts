// Bearer tokens (RFC 6750): generated strong, stored only as SHA-256 hashes, looked up by hash; shared by the CLI and the HTTP check.
import { createHash, randomBytes } from 'node:crypto'

export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest()
}

/** 256 bits of randomness, URL-safe, so it pastes cleanly into Entra's Secret Token field. */
export function generateToken(): string {
  return randomBytes(32).toString('base64url')
}
