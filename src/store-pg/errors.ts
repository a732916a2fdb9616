// Translates PostgreSQL failures into SCIM errors by SQLSTATE and constraint name, as src/store/errors.ts does for SQLite; never the SQL.
import { ScimError, UnknownReferenceError } from '../scim/errors'
import type { ResourceType } from '../scim/schema/types'
import { tenantGone } from '../store/errors'

/** What Bun's PostgresError carries that the translation reads (Drizzle wraps it as `cause`). */
interface ServerError {
  errno?: unknown
  constraint?: unknown
}

/** The server's error under Drizzle's DrizzleQueryError wrapper, if any. */
function serverError(err: unknown): ServerError | undefined {
  let e: unknown = err
  for (let depth = 0; depth < 3 && e && typeof e === 'object'; depth++) {
    if (typeof (e as ServerError).errno === 'string') return e as ServerError
    e = (e as { cause?: unknown }).cause
  }
  return undefined
}

/** The SQLSTATE of a server error (e.g. `23505`), or undefined for anything else. */
export function sqlState(err: unknown): string | undefined {
  const errno = serverError(err)?.errno
  return typeof errno === 'string' ? errno : undefined
}

/**
 * The foreign keys to tenants.name a write's rows meet (drizzle-kit's names): a resource's, and the
 * tenant's change token (resource_changes, written in the same statement as created rows).
 */
const TENANT_FKS = new Set(['resources_tenant_tenants_name_fk', 'resource_changes_tenant_tenants_name_fk'])

/**
 * A membership row whose member another transaction deleted after this one found it: the 400 an
 * unknown member gets (src/store/member-net.ts). write-tx.ts locks the members it finds, so this
 * is only the net under that.
 */
const MEMBER_FK = 'group_members_member_id_resources_id_fk'

/**
 * unique_violation on the per-tenant userName index or the primary key: 409 uniqueness (RFC 7644 §3.12).
 * foreign_key_violation on a membership's member (MEMBER_FK): 400 invalidValue.
 * program_limit_exceeded (54000: an index row or a value too large for PostgreSQL): 400 invalidValue.
 * toRow (src/store/rows.ts) refuses the long lookup values that cause it on both stores; this is
 * the safety net for any other value an index of this database holds.
 */
export function translatePgConstraintError(err: unknown, type: Pick<ResourceType, 'name'>): unknown {
  const e = serverError(err)
  if (e?.errno === '23503' && TENANT_FKS.has(String(e.constraint))) return tenantGone()
  if (e?.errno === '23503' && e.constraint === MEMBER_FK)
    return new UnknownReferenceError('members reference a resource deleted while this request ran')
  if (e?.errno === '54000')
    return ScimError.invalidValue(`a value of this ${type.name} is too large for the database to index`)
  if (e?.errno !== '23505') return err
  if (e.constraint === 'resources_tenant_user_name_unique') {
    return ScimError.uniqueness(`a ${type.name} with this userName already exists`)
  }
  if (e.constraint === 'resources_pkey') return ScimError.uniqueness('a resource with this id already exists')
  return err
}

/**
 * Conflicts between concurrent transactions (serialization_failure, deadlock_detected): the
 * transaction was rolled back whole and may simply be run again.
 */
export function isRetryable(err: unknown): boolean {
  const state = sqlState(err)
  return state === '40001' || state === '40P01'
}

/**
 * SQLSTATE classes that mean the server cannot take the write now rather than that the request
 * is wrong: 53 insufficient resources (disk full, out of memory, too many connections), 57P01-03
 * the server shutting down or starting, 08 connection failures, 25006 a read-only transaction
 * (a hot standby behind the load balancer), 55P03 and 57014 a wait past the database's
 * lock_timeout or statement_timeout, 25P03 a transaction PostgreSQL ended for idling (server-pg.ts
 * IDLE_IN_TRANSACTION_MS: the replica had stalled), and 40001/40P01 a conflict that outlasted the retries
 * (write-batches.ts): each rolled the transaction back whole, so the request may be sent again.
 */
const UNAVAILABLE = /^(53|08|57P0[123]$|25006$|25P03$|55P03$|57014$|40001$|40P01$)/

/** 503 for a server that cannot serve a read or take a write now (Entra retries those); anything else unchanged. */
export function translatePgStorageError(err: unknown): unknown {
  const state = sqlState(err)
  const connection = (err as { code?: unknown } | null)?.code
  const refused = typeof connection === 'string' && connection.startsWith('ERR_POSTGRES_CONNECTION')
  if (!refused && (state === undefined || !UNAVAILABLE.test(state))) return err
  return new ScimError(
    503,
    'the database cannot serve this request right now; nothing was changed, retry later',
    undefined,
    {
      cause: state ?? connection,
    }
  )
}
