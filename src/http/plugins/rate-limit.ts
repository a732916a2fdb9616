// After authentication: label the request's token, and hold each token to --rate-limit requests a second.
import { ScimError } from '../../scim/errors'
import type { RequestContext } from '../request-context'
import { errorResponse } from '../respond'

interface Bucket {
  tokens: number
  at: number
}

/**
 * A token bucket per token: `rate` tokens a second, holding at most `2 × rate` (a burst of twice
 * the rate). Only requests that passed authentication get here, so only valid tokens get a
 * bucket; the map is capped all the same (the oldest bucket goes first), since tokens can be
 * issued while the server runs.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>()

  constructor(
    private readonly rate: number,
    private readonly now: () => number = () => performance.now() / 1000,
    private readonly maxBuckets = 1024
  ) {}

  /** 0 when the request may go ahead (and takes a token), else whole seconds until one is available (≥ 1). */
  take(key: string): number {
    const now = this.now()
    const burst = 2 * this.rate
    let bucket = this.buckets.get(key)
    if (!bucket) {
      if (this.buckets.size >= this.maxBuckets) this.buckets.delete(this.buckets.keys().next().value!)
      bucket = { tokens: burst, at: now }
      this.buckets.set(key, bucket)
    } else {
      bucket.tokens = Math.min(burst, bucket.tokens + (now - bucket.at) * this.rate)
      bucket.at = now
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1
      return 0
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.rate))
  }

  get size(): number {
    return this.buckets.size
  }
}

export interface RateLimitOptions {
  /** Requests per second per token of the tenant `request` addresses (each may set its own); 0: no limit. */
  rate: (request: Request) => number
  refused: () => void
  now?: () => number
}

/**
 * Runs right after `auth` on request arrival (plugins/arrival.ts), so a refused request costs no
 * parsing; it reads the label auth gave the request. Each tenant's tokens fill buckets of that
 * tenant's rate; a tenant whose rate changed starts with fresh buckets, one without a limit costs a lookup.
 */
export function rateLimit({
  rate,
  refused,
  now,
}: RateLimitOptions): (request: Request, ctx: RequestContext | undefined) => Response | undefined {
  const byTenant = new Map<string, { rate: number; buckets: TokenBuckets }>()
  return (request, ctx) => {
    // Open paths and requests re-issued by the app itself carry no fresh label to count.
    if (ctx?.tokenLabel === undefined || ctx.counted) return
    const limit = rate(request)
    if (limit <= 0) return
    ctx.counted = true
    let tenant = byTenant.get(ctx.tenant)
    if (tenant?.rate !== limit) {
      tenant = { rate: limit, buckets: new TokenBuckets(limit, now) }
      byTenant.set(ctx.tenant, tenant)
    }
    const wait = tenant.buckets.take(ctx.token?.id ?? ctx.tokenLabel)
    if (wait === 0) return
    refused()
    return errorResponse(new ScimError(429, `too many requests for this token; retry after ${wait} s`), {
      'retry-after': String(wait),
    })
  }
}
