// Another process holding a SQLite database's write lock for a while, as a server committing in between does.
export interface WriteLock {
  /** Resolves once the other process holds the lock (its write transaction is open). */
  held: Promise<void>
  /** Resolves with the process's exit code once it has committed and exited. */
  done: Promise<number>
}

const HOLDER = `
const { Database } = require('bun:sqlite')
const [path, ms] = [process.argv[1], Number(process.argv[2])]
const db = new Database(path)
db.run('PRAGMA busy_timeout = 5000')
db.run('BEGIN IMMEDIATE')
db.run("INSERT INTO settings (key, value) VALUES ('write-lock-test', '1') ON CONFLICT(key) DO UPDATE SET value = excluded.value")
process.stdout.write('held\\n')
Bun.sleepSync(ms)
db.run('COMMIT')
db.close()
`

/** Starts a process that opens `path`, takes the write lock, writes a settings row, and commits after `ms`. */
export function holdWriteLock(path: string, ms: number): WriteLock {
  const proc = Bun.spawn([process.execPath, '-e', HOLDER, path, String(ms)], { stdout: 'pipe', stderr: 'inherit' })
  const held = (async () => {
    let text = ''
    const decoder = new TextDecoder()
    for await (const chunk of proc.stdout) {
      text += decoder.decode(chunk, { stream: true })
      if (text.includes('held')) return
    }
    throw new Error('the lock holder exited before it held the lock')
  })()
  return { held, done: proc.exited }
}
