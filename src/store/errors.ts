// Translates SQLite failures into SCIM errors: constraints name the attribute, a full disk is a 503; never the SQL.
import { ScimError } from '../scim/errors'
import type { ResourceType } from '../scim/schema/types'

export function translateConstraintError(err: unknown, type: ResourceType): unknown {
  const message = err instanceof Error ? err.message : ''
  if (message.includes('UNIQUE constraint failed: resources.tenant, resources.type, resources.name_ci')) {
    return ScimError.uniqueness(`a ${type.name} with this userName already exists`)
  }
  if (message.includes('UNIQUE constraint failed: resources.id')) {
    return ScimError.uniqueness(`a resource with this id already exists`)
  }
  if (message.includes('resources_need_tenant')) return tenantGone()
  return err
}

/** A write for a tenant removed since this server last read the tenants table (migration 0008's trigger, PostgreSQL's foreign key). */
export const tenantGone = () => ScimError.notFound('this tenant no longer exists; nothing was changed')

/**
 * Result codes (extended ones included) that mean the database cannot take writes now rather
 * than that the request is wrong: disk full, an I/O error, a read-only file or directory, and a
 * write lock another process (an admin command on the same file) held past busy_timeout.
 */
const UNAVAILABLE_CODE = /^SQLITE_(FULL|IOERR|READONLY|BUSY)(_|$)/

/** A write sent after the store closed (the server stopped): nothing was changed, and a client may retry elsewhere. */
export const storeClosed = () =>
  new ScimError(503, 'the server has stopped and its database is closed; nothing was changed')

/** SQLITE_BUSY: another connection holds the lock this one asked for. */
export function isBusy(err: unknown): boolean {
  return String((err as { code?: unknown } | null)?.code ?? '').startsWith('SQLITE_BUSY')
}

/** Retrying later can succeed once space is freed or the lock is let go, so the client gets 503 (Entra retries those). */
export function translateStorageError(err: unknown): unknown {
  const code = (err as { code?: unknown } | null)?.code
  if (typeof code !== 'string' || !UNAVAILABLE_CODE.test(code)) return err
  const reason = err instanceof Error ? `${code}: ${err.message}` : code
  const why = isBusy(err) ? 'another process holds the database write lock' : 'disk full or read-only'
  return new ScimError(
    503,
    `the database cannot take writes right now (${why}); nothing was changed, retry later`,
    undefined,
    {
      cause: reason,
    }
  )
}
