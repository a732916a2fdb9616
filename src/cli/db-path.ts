// The database a command works on: --db, else SCIM_DB (empty counts as unset), else ./scim.db.
import { EMPTY_DB } from '../store/db'

/**
 * The path `--db` (`flag`) or `SCIM_DB` (`env`) names. An empty `--db` is refused through `usage`
 * (each command's own usage error, so it is one line and exit 2); an empty SCIM_DB is unset, as
 * every SCIM_ variable is for serve.
 */
export function databasePath(flag: string | undefined, env: string | undefined, usage: (m: string) => Error): string {
  if (flag !== undefined && flag.trim() === '') throw usage(EMPTY_DB)
  return flag ?? (env === undefined || env.trim() === '' ? './scim.db' : env)
}
