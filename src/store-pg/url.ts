// Which --db values name a PostgreSQL database, and how such a URL is shown without its password.

/** `--db` names a PostgreSQL database when it is a postgres:// (or postgresql://) URL; anything else is a SQLite file. */
export function isPostgresUrl(db: string): boolean {
  return /^postgres(ql)?:\/\//i.test(db)
}

/** Query parameters libpq reads a secret from (a URL may carry the password there instead of before the @). */
const SECRET_PARAMETERS = new Set(['password', 'sslpassword'])

/** The URL with its passwords masked, for the start banner, errors, log lines and migrate-db's report. */
export function shownPostgresUrl(db: string): string {
  try {
    const url = new URL(db)
    if (url.password) url.password = '***'
    // Rewritten by hand: URLSearchParams would re-encode every other parameter as it was not sent.
    const search = url.search
      .slice(1)
      .split('&')
      .map((pair) => {
        const name = pair.split('=', 1)[0]!
        return SECRET_PARAMETERS.has(decodeURIComponent(name).toLowerCase()) ? `${name}=***` : pair
      })
      .join('&')
    url.search = search
    return url.toString()
  } catch {
    return 'postgres://…'
  }
}
