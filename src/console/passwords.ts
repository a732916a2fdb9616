// Console passwords: argon2id through Bun.password, checked in about the same time for unknown accounts.
import { randomSecret } from './admin-store'

export const MIN_PASSWORD_LENGTH = 12
/** Longer input is refused before hashing: argon2 over megabytes is a cheap way to burn CPU. */
export const MAX_PASSWORD_LENGTH = 1024

export function hashPassword(password: string): Promise<string> {
  return Bun.password.hash(password, { algorithm: 'argon2id' })
}

let decoy: Promise<string> | undefined

/**
 * True when `password` matches `hash`. Without a hash (no such account, or one that has not set a
 * password yet) a decoy hash is verified all the same, so the answer's timing does not tell which
 * account names exist.
 */
export async function checkPassword(password: string, hash: string | null | undefined): Promise<boolean> {
  if (password.length > MAX_PASSWORD_LENGTH) return false
  if (!hash) {
    decoy ??= hashPassword(randomSecret())
    await Bun.password.verify(password, await decoy)
    return false
  }
  return Bun.password.verify(password, hash)
}
