// Console accounts, sessions and one-time links in PostgreSQL: the AdminStore every replica of a database shares.
import type { SQL } from 'bun'
import type { AdminAccount, AdminSession, AdminStore } from '../console/admin-store'

/**
 * The admins tables of PostgreSQL behind the console's AdminStore. Sessions live in the database,
 * so a session started through one replica is valid on every other, and signing out (or `admin
 * remove`) through any of them ends it on all from the next request. Times are ISO text compared
 * by code point (COLLATE "C"), as SQLite compares them.
 */
export function pgAdminStore(sql: SQL): AdminStore {
  return {
    list: async () => {
      const rows = (await sql`SELECT name, password_hash IS NOT NULL AS has, created FROM admins
        ORDER BY name COLLATE "C"`) as { name: string; has: boolean; created: string }[]
      return rows.map((r): AdminAccount => ({ name: r.name, hasPassword: r.has, created: r.created }))
    },
    passwordHash: async (name) => {
      // PostgreSQL text holds no NUL (it refuses the query): such a name, typed at sign-in, is no account.
      if (name.includes('\0')) return undefined
      const [row] = (await sql`SELECT password_hash AS h FROM admins WHERE name = ${name}`) as { h: string | null }[]
      return row === undefined ? undefined : row.h
    },
    save: async (name, hash, at) => {
      // One statement, so two replicas saving the same new name do not both insert: xmax is 0
      // only on a row this statement inserted.
      const [row] = (await sql`INSERT INTO admins (name, password_hash, created) VALUES (${name}, ${hash}, ${at})
        ON CONFLICT (name) DO UPDATE SET password_hash = coalesce(excluded.password_hash, admins.password_hash)
        RETURNING xmax <> 0 AS existed`) as { existed: boolean }[]
      return { existed: row!.existed }
    },
    remove: async (name) => (await sql`DELETE FROM admins WHERE name = ${name} RETURNING name`).length > 0,
    endSessionsOf: async (name) => void (await sql`DELETE FROM admin_sessions WHERE admin = ${name}`),
    createSession: async (idHash, admin, csrf, at, expires) => {
      // Expired rows go whenever a new one is written, so the table stays as small as the live ones.
      await sql`DELETE FROM admin_sessions WHERE expires <= ${at} COLLATE "C"`
      await sql`INSERT INTO admin_sessions (id_hash, admin, csrf, created, expires)
        VALUES (${idHash}, ${admin}, ${csrf}, ${at}, ${expires})`
    },
    session: async (idHash, now) => {
      const [row] = (await sql`SELECT admin, csrf, expires FROM admin_sessions
        WHERE id_hash = ${idHash} AND expires > ${now} COLLATE "C"`) as AdminSession[]
      return row
    },
    endSession: async (idHash) => void (await sql`DELETE FROM admin_sessions WHERE id_hash = ${idHash}`),
    createLink: async (hash, admin, at, expires) => {
      await sql`DELETE FROM admin_links WHERE expires <= ${at} COLLATE "C"`
      await sql`INSERT INTO admin_links (hash, admin, created, expires) VALUES (${hash}, ${admin}, ${at}, ${expires})`
    },
    takeLink: async (hash, now) => {
      // DELETE … RETURNING: of two replicas handed the same link at once, exactly one gets its row.
      const [row] = (await sql`DELETE FROM admin_links WHERE hash = ${hash} RETURNING admin, expires`) as {
        admin: string
        expires: string
      }[]
      return row && row.expires > now ? row.admin : undefined
    },
  }
}
