// Console accounts, sessions and one-time links in the server's database (the admins tables).
import type { Database } from 'bun:sqlite'
import { createHash, randomBytes } from 'node:crypto'

export interface AdminAccount {
  name: string
  hasPassword: boolean
  created: string
}

export interface AdminSession {
  admin: string
  csrf: string
  expires: string
}

/**
 * What the console and `scim-server admin` read and write; secrets arrive and leave only as hashes.
 * Asynchronous, with one implementation per database (this file's for SQLite,
 * store-pg/console-admins.ts for PostgreSQL): its callers are request handlers and a command,
 * which wait anyway, and none of it runs inside the SQLite write queue's synchronous jobs, so
 * effects (src/service/effect.ts) would buy nothing here.
 */
export interface AdminStore {
  list(): Promise<AdminAccount[]>
  /** The account's argon2id hash: null without a password, undefined without the account. */
  passwordHash(name: string): Promise<string | null | undefined>
  /** Creates the account or sets its password (null keeps the one it has); false when it was new. */
  save(name: string, passwordHash: string | null, at: string): Promise<{ existed: boolean }>
  /** Deletes the account with its sessions and links; false when there was none. */
  remove(name: string): Promise<boolean>
  /** Ends every session of the account (its password changed). */
  endSessionsOf(name: string): Promise<void>
  createSession(idHash: string, admin: string, csrf: string, at: string, expires: string): Promise<void>
  /** The session with this id hash, unless it has expired at `now` (ISO). */
  session(idHash: string, now: string): Promise<AdminSession | undefined>
  endSession(idHash: string): Promise<void>
  createLink(hash: string, admin: string, at: string, expires: string): Promise<void>
  /** Uses up the link: its account when it was valid at `now`, and it is gone either way. */
  takeLink(hash: string, now: string): Promise<string | undefined>
}

/** Hex SHA-256: session ids and link tokens are stored only this way. */
export function secretHash(secret: string): string {
  return createHash('sha256').update(secret).digest('hex')
}

/** 32 random bytes, base64url: a session id, a CSRF token or a link token. */
export function randomSecret(): string {
  return randomBytes(32).toString('base64url')
}

/** Account names: what an admin types, safe in a URL, a cookie-free log line and a shell. */
export const ADMIN_NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/

export function createAdminStore(db: Database): AdminStore {
  const q = {
    list: db.query<{ name: string; has: number; created: string }, []>(
      'SELECT name, password_hash IS NOT NULL AS has, created FROM admins ORDER BY name'
    ),
    hash: db.query<{ h: string | null }, [string]>('SELECT password_hash AS h FROM admins WHERE name = ?'),
    insert: db.query<unknown, [string, string | null, string]>(
      'INSERT INTO admins (name, password_hash, created) VALUES (?, ?, ?)'
    ),
    setHash: db.query<unknown, [string, string]>('UPDATE admins SET password_hash = ? WHERE name = ?'),
    remove: db.query<unknown, [string]>('DELETE FROM admins WHERE name = ?'),
    endOf: db.query<unknown, [string]>('DELETE FROM admin_sessions WHERE admin = ?'),
    createSession: db.query<unknown, [string, string, string, string, string]>(
      'INSERT INTO admin_sessions (id_hash, admin, csrf, created, expires) VALUES (?, ?, ?, ?, ?)'
    ),
    session: db.query<AdminSession, [string, string]>(
      'SELECT admin, csrf, expires FROM admin_sessions WHERE id_hash = ? AND expires > ?'
    ),
    endSession: db.query<unknown, [string]>('DELETE FROM admin_sessions WHERE id_hash = ?'),
    // Expired rows go whenever a new one is written, so the tables stay as small as the live ones.
    sweepSessions: db.query<unknown, [string]>('DELETE FROM admin_sessions WHERE expires <= ?'),
    sweepLinks: db.query<unknown, [string]>('DELETE FROM admin_links WHERE expires <= ?'),
    createLink: db.query<unknown, [string, string, string, string]>(
      'INSERT INTO admin_links (hash, admin, created, expires) VALUES (?, ?, ?, ?)'
    ),
    link: db.query<{ admin: string; expires: string }, [string]>(
      'SELECT admin, expires FROM admin_links WHERE hash = ?'
    ),
    dropLink: db.query<unknown, [string]>('DELETE FROM admin_links WHERE hash = ?'),
  }
  // Each answers at once; async only to fit the interface both databases implement.
  return {
    list: async () => q.list.all().map((r) => ({ name: r.name, hasPassword: r.has === 1, created: r.created })),
    passwordHash: async (name) => {
      const row = q.hash.get(name)
      return row === null ? undefined : row.h
    },
    // Immediate, both: each reads first, and a deferred transaction that has read cannot wait for
    // the write lock (SQLITE_BUSY at once when a server wrote meanwhile).
    save: async (name, hash, at) =>
      db
        .transaction(() => {
          const existed = q.hash.get(name) !== null
          if (!existed) q.insert.run(name, hash, at)
          else if (hash !== null) q.setHash.run(hash, name)
          return { existed }
        })
        .immediate(),
    remove: async (name) => q.remove.run(name).changes > 0,
    endSessionsOf: async (name) => void q.endOf.run(name),
    createSession: async (idHash, admin, csrf, at, expires) => {
      q.sweepSessions.run(at)
      q.createSession.run(idHash, admin, csrf, at, expires)
    },
    session: async (idHash, now) => q.session.get(idHash, now) ?? undefined,
    endSession: async (idHash) => void q.endSession.run(idHash),
    createLink: async (hash, admin, at, expires) => {
      q.sweepLinks.run(at)
      q.createLink.run(hash, admin, at, expires)
    },
    takeLink: async (hash, now) =>
      db
        .transaction(() => {
          const row = q.link.get(hash)
          if (!row) return undefined
          q.dropLink.run(hash)
          return row.expires > now ? row.admin : undefined
        })
        .immediate(),
  }
}
