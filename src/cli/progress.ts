// A progress line for long admin commands: redrawn in place on a terminal, one summary line otherwise.

export interface Progress {
  /** `done` of `total` (either may be an estimate); redrawn at most every 200 ms. */
  update(done: number, total: number): void
  /** Ends the line (a terminal) and prints `summary`. */
  finish(summary: string): void
}

/** Writes to stderr, so `export > file` keeps stdout for data; `unit` formats the numbers. */
export function progress(label: string, unit: (n: number) => string = String, stream = process.stderr): Progress {
  const live = stream.isTTY === true
  let drawnAt = 0
  let drawn = false
  return {
    update(done, total) {
      if (!live) return
      const now = performance.now()
      if (now - drawnAt < 200) return
      drawnAt = now
      drawn = true
      const pct = total > 0 ? Math.min(100, Math.floor((done / total) * 100)) : 0
      const width = 24
      const bar = '#'.repeat(Math.round((pct / 100) * width)).padEnd(width, '.')
      stream.write(`\r${label} [${bar}] ${String(pct).padStart(3)}%  ${unit(done)} / ${unit(total)}`)
    },
    finish(summary) {
      if (drawn) stream.write('\r\x1b[2K')
      stream.write(`${summary}\n`)
    },
  }
}

export function megabytes(bytes: number): string {
  return `${(bytes / 1_048_576).toFixed(1)} MB`
}
