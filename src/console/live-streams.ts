// The console's open live streams, as /metrics counts them: the bytes they hold for browsers that have not read them yet.
export class LiveStreams {
  private readonly queues = new Set<() => number>()
  /** Times a stream's browser fell a whole queue behind and was told what it missed instead (journal-routes.ts). */
  skips = 0

  /** A stream opened; `queuedBytes` reads what it holds now. Returns what its end calls. */
  opened(queuedBytes: () => number): () => void {
    this.queues.add(queuedBytes)
    return () => this.queues.delete(queuedBytes)
  }

  get open(): number {
    return this.queues.size
  }

  /** Summed at each scrape: a handful of admins' streams, never a list kept up to date on every write. */
  queuedBytes(): number {
    let bytes = 0
    for (const read of this.queues) bytes += read()
    return bytes
  }
}
