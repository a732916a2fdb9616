// Rewrites name_ci keys folded by an earlier rule (toLowerCase) with foldCase, once per database.
import type { Database } from 'bun:sqlite'
import type { Doc } from '../scim/document'
import { nameKeyOf } from './rows'

/** The `settings` row that records which folding name_ci holds; a new value refolds again. */
export const FOLD_SETTING = 'name_ci_fold'
export const FOLD_VERSION = 'unicode-14.0-cf'

export interface RefoldResult {
  refolded: number
  /** Users that keep their old key because another user already holds the new one. */
  kept: string[]
}

/**
 * Brings every name_ci up to foldCase, once (recorded in `settings`). Only keys with non-ASCII
 * text can change: on ASCII, foldCase is toLowerCase, and no letter toLowerCase turns into ASCII
 * folds differently. Two users whose userNames fold alike only now (ΟΔΟΣ and οδοσ) cannot both
 * hold the key the unique index guards: the user already holding it (else the older row) keeps
 * it, the other keeps its old key, so both stay readable by id and in lists, the server starts,
 * and one line is logged.
 */
export function refoldNames(db: Database, log: (line: string) => void): RefoldResult {
  const result: RefoldResult = { refolded: 0, kept: [] }
  const done = db.query<{ value: string }, [string]>('SELECT value FROM settings WHERE key = ?').get(FOLD_SETTING)
  if (done?.value === FOLD_VERSION) return result
  const rows = db
    .query<{ rowid: number; id: string; type: string; nameCi: string; data: string }, []>(
      `SELECT rowid, id, type, name_ci AS nameCi, data FROM resources WHERE name_ci IS NOT NULL AND length(name_ci) <> length(CAST(name_ci AS BLOB)) ORDER BY rowid`
    )
    .all()
  const update = db.query<unknown, [string, number]>('UPDATE resources SET name_ci = ? WHERE rowid = ?')
  db.transaction(() => {
    for (const row of rows) {
      const key = nameKeyOf({ name: row.type }, JSON.parse(row.data) as Doc)
      if (key === null || key === row.nameCi) continue
      try {
        update.run(key, row.rowid)
        result.refolded++
      } catch (err) {
        if (!(err instanceof Error) || !err.message.includes('UNIQUE constraint failed')) throw err
        result.kept.push(row.id)
      }
    }
    db.query(
      'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'
    ).run(FOLD_SETTING, FOLD_VERSION)
  })()
  if (result.kept.length > 0) {
    const ids = result.kept.slice(0, 10).join(', ') + (result.kept.length > 10 ? ', …' : '')
    log(
      `scim-server: ${result.kept.length} user(s) keep their earlier userName key, because another user's userName now folds to the same name (ids: ${ids}); both stay readable; a userName filter finds the other one; rename one of each pair to resolve`
    )
  }
  return result
}
