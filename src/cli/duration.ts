// Durations as the admin types them (`90d`, `12h`, `30m`, `45s`) → milliseconds, for --expires and the like.

const UNIT_MS = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000 } as const

/** A duration that is not a whole number followed by d, h, m or s. */
export class DurationError extends Error {}

/**
 * Milliseconds of `text`: a positive whole number and one unit (d, h, m, s), such as `90d`.
 * Seconds are there for short-lived tokens (a test, a demo); anything else is refused so a typo
 * (`90`, `3mo`, `1.5d`) never becomes a silently wrong expiry.
 * @example parseDuration('12h') // 43_200_000
 */
export function parseDuration(text: string): number {
  const m = /^([1-9][0-9]{0,8})([dhms])$/.exec(text.trim())
  if (!m) throw new DurationError(`'${text}' is not a duration: use a whole number and d, h, m or s, such as 90d`)
  return Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS]
}
