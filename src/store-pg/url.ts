// Which --db values name a PostgreSQL database, and how such a URL is shown without its password.

/** `--db` names a PostgreSQL database when it is a postgres:// (or postgresql://) URL; anything else is a SQLite file. */
export function isPostgresUrl(db: string): boolean {
  return /^postgres(ql)?:\/\//i.test(db)
}

/** The URL with its password masked, for the start banner, errors and log lines. */
export function shownPostgresUrl(db: string): string {
  try {
    const url = new URL(db)
    if (url.password) url.password = '***'
    return url.toString()
  } catch {
    return 'postgres://…'
  }
}
