// One tenant's chain checked entry by entry, whichever store the entries come from.
import { chainHash, entryText, type EntryColumns } from './canonical'
import type { TenantVerdict, Verdict } from './verify'

/** An entry as both stores read it for verification: its columns and its stored hash. */
export type ChainRow = EntryColumns & { hash: string }

export function badEntry(tenant: string, seq: number | null, problem: string): Verdict {
  return { ok: false, tenant, seq, problem }
}

/**
 * Feed it the tenant's entries in seq order (`step` returns the verdict of the first bad one),
 * then `finish` with the chain's head: every hash recomputed, every link to the entry before,
 * and the head against the last entry (which tells the newest entries were deleted).
 */
export class ChainWalk {
  private prev: string
  private prevSeq: number | null
  private count = 0

  constructor(
    private readonly tenant: string,
    private readonly checkpointSeq: number | null,
    private readonly checkpointHash: string | null
  ) {
    this.prev = checkpointHash ?? ''
    this.prevSeq = checkpointSeq
  }

  step(row: ChainRow): Verdict | undefined {
    if (chainHash(row.prevHash, entryText(row)) !== row.hash)
      return badEntry(this.tenant, row.seq, 'its hash does not match its content: the entry was edited')
    if (row.prevHash !== this.prev) {
      const before = this.prevSeq === null ? 'the start of the chain' : `entry ${this.prevSeq}`
      return badEntry(
        this.tenant,
        row.seq,
        `its prevHash is not the hash of ${before}: an entry between them was deleted, or entries were reordered`
      )
    }
    this.prev = row.hash
    this.prevSeq = row.seq
    this.count++
    return undefined
  }

  finish(headSeq: number, headHash: string | null): Verdict | TenantVerdict {
    if (this.prevSeq !== headSeq)
      return badEntry(
        this.tenant,
        headSeq,
        `the chain's head is entry ${headSeq} but the last entry is ${this.prevSeq ?? 'none'}: the newest entries were deleted`
      )
    if (this.prev !== headHash)
      return badEntry(
        this.tenant,
        headSeq,
        `the chain's head names entry ${headSeq} with another hash than that entry's: the head record was edited`
      )
    return {
      tenant: this.tenant,
      count: this.count,
      head: this.prev,
      checkpointSeq: this.checkpointSeq,
      checkpointHash: this.checkpointHash,
    }
  }
}

/** finish() found the chain intact. */
export function isIntact(v: Verdict | TenantVerdict): v is TenantVerdict {
  return !('ok' in v)
}
