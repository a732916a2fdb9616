// Opens bun:sqlite with the PRAGMAs the server relies on and applies embedded migrations.
import { Database } from 'bun:sqlite'
import { drizzle, type BunSQLiteDatabase } from 'drizzle-orm/bun-sqlite'
import { applyMigrations } from './migrate'
import { MIGRATIONS } from './migrations.gen'
import { refoldNames } from './refold'
import * as tables from './tables'

export type Durability = 'full' | 'normal'

export interface OpenedDatabase {
  sqlite: Database
  orm: BunSQLiteDatabase<typeof tables>
}

/**
 * Opens (creating if needed) the database at `path` (`:memory:` allowed). WAL lets readers run
 * beside the single writer; `synchronous=FULL` syncs the WAL on every commit so no acknowledged
 * write is lost on power loss (the write queue batches commits to pay for that).
 */
export function openDatabase(path: string, durability: Durability = 'full'): OpenedDatabase {
  const sqlite = new Database(path, { create: true, strict: true })
  sqlite.run('PRAGMA journal_mode = WAL')
  sqlite.run(`PRAGMA synchronous = ${durability === 'full' ? 'FULL' : 'NORMAL'}`)
  sqlite.run('PRAGMA foreign_keys = ON')
  sqlite.run('PRAGMA busy_timeout = 5000')
  sqlite.run('PRAGMA temp_store = MEMORY')
  applyMigrations(sqlite, MIGRATIONS)
  refoldNames(sqlite, console.warn)
  return { sqlite, orm: drizzle({ client: sqlite, schema: tables }) }
}
