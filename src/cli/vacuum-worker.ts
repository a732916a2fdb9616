// Runs VACUUM INTO off the main thread, so the backup command can draw its progress line meanwhile.
import { Database } from 'bun:sqlite'

declare const self: Worker

self.onmessage = (event: MessageEvent<{ source: string; target: string }>) => {
  const { source, target } = event.data
  try {
    const db = new Database(source, { create: false, strict: true })
    try {
      db.run('PRAGMA busy_timeout = 5000')
      // One read transaction: a consistent snapshot while the server keeps writing (WAL).
      db.query('VACUUM INTO ?').run(target)
    } finally {
      db.close()
    }
    postMessage({ ok: true })
  } catch (err) {
    postMessage({ ok: false, message: (err as Error).message })
  }
}
