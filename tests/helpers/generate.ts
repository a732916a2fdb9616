// Seeded generators for filter tests: a PRNG, Users/Groups as full SCIM JSON and as stored rows, and random filters.
// Generated strings are ASCII except some userNames: SQLite lower()/LIKE fold ASCII only, while evaluate
// uses foldCase, so the two agree on other text only where it is stored folded (name_ci).
import { sql } from 'drizzle-orm'
import user from '../../src/scim/schema/builtin/user.json'
import group from '../../src/scim/schema/builtin/group.json'
import enterpriseUser from '../../src/scim/schema/builtin/enterprise-user.json'
import resourceTypes from '../../src/scim/schema/builtin/resource-types.json'
import { createRegistry, type Registry } from '../../src/scim/schema/registry'
import type { ResourceType, ResourceTypeDocument, SchemaDocument } from '../../src/scim/schema/types'
import type { OpenedDatabase } from '../../src/store/db'
import { foldCase } from '../../src/scim/case-fold'

import { URN_ENTERPRISE, URN_USER } from './entra'
export { URN_ENTERPRISE, URN_USER }
/** A custom extension that gives the tests integer, decimal, dateTime, binary and multi-valued simple attributes. */
export const URN_ACME = 'urn:example:params:scim:schemas:extension:acme:2.0:User'

const attr = (name: string, type: string, extra: Record<string, unknown> = {}) => ({
  name,
  type,
  multiValued: false,
  required: false,
  mutability: 'readWrite',
  returned: 'default',
  ...extra,
})

export const ACME_SCHEMA = {
  id: URN_ACME,
  name: 'Acme',
  attributes: [
    attr('level', 'integer'),
    attr('score', 'decimal'),
    attr('hiredAt', 'dateTime'),
    attr('contractor', 'boolean'),
    attr('badge', 'binary', { caseExact: true }),
    attr('tags', 'string', { multiValued: true }),
    attr('codes', 'complex', {
      multiValued: true,
      subAttributes: [attr('value', 'string', { caseExact: true }), attr('kind', 'string')],
    }),
  ],
} as unknown as SchemaDocument

/** The built-in registry, optionally with the Acme extension on User. */
export function builtinRegistry(withAcme = false): Registry {
  const schemas = [user, group, enterpriseUser] as SchemaDocument[]
  const types = structuredClone(resourceTypes) as ResourceTypeDocument[]
  if (withAcme) {
    schemas.push(ACME_SCHEMA)
    types[0]!.schemaExtensions = [...(types[0]!.schemaExtensions ?? []), { schema: URN_ACME, required: false }]
  }
  return createRegistry(schemas, types)
}

export function typeOf(reg: Registry, name: string): ResourceType {
  const t = reg.resourceType(name)
  if (!t) throw new Error(`no resource type ${name}`)
  return t
}

/** mulberry32: small, fast, good enough to make test data reproducible. */
export class Rng {
  private s: number
  constructor(seed: number) {
    this.s = seed >>> 0
  }
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0
    let t = this.s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  int(n: number): number {
    return Math.floor(this.next() * n)
  }
  chance(p: number): boolean {
    return this.next() < p
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!
  }
  hex(n: number): string {
    let s = ''
    for (let i = 0; i < n; i++) s += '0123456789abcdef'[this.int(16)]
    return s
  }
}

export type Json = Record<string, unknown>
export interface Dataset {
  users: Json[]
  groups: Json[]
}

export const GIVEN = ['Ann', 'anna', 'BOB', 'Bo', 'carol', 'Carl', 'dave', 'Eve', 'eve', 'Zoe']
export const FAMILY = ['Smith', 'smithers', 'Jones', "O'Malley", 'ng', 'Ng', 'Lee', 'de_la%Cruz', 'back\\slash']
export const TITLES = ['Engineer', 'engineer', 'Manager', 'VP Sales', '50%_off', 'Tour Guide', '']
export const DOMAINS = ['example.com', 'Example.org', 'test.net', 'foo.com']
export const EMAIL_TYPES = ['work', 'home', 'other', 'Work']
export const DEPARTMENTS = ['Sales', 'sales', 'R&D', 'Ops', 'IT']
export const TAGS = ['alpha', 'Beta', 'gamma', 'b_e', 'x%y']
/** userNames that only full case folding matches across case (final sigma, ß, ligature, long s, digraph). */
export const UNICODE_NAMES = ['ΟΔΟΣ', 'οδος', 'Straße', 'STRASSE', 'ﬁnn', 'Ǆemal', 'ſam', 'Ωmega']
export const GROUP_NAMES = ['Admins', 'admins-eu', 'Sales Team', 'Ops', 'Readers', 'Writers', 'All Staff', 'ops oncall']

const BASE = Date.UTC(2020, 0, 1)
const SPAN = 4 * 365 * 24 * 3600 * 1000

/** A random instant inside 2020–2023, as toISOString() text. */
export function randomDate(rng: Rng): string {
  return new Date(BASE + rng.int(SPAN)).toISOString()
}

const pad = (n: number, width = 2): string => String(Math.abs(n)).padStart(width, '0')

/**
 * A random instant as a client may write it and coercion accepts (RFC 7643 §2.3.5): UTC or an
 * offset, zone-less (UTC), and 0–7 fraction digits, some below a millisecond, so text order is
 * not instant order.
 */
export function writtenDate(rng: Rng): string {
  const ms = BASE + rng.int(SPAN)
  const offsetMin = rng.pick([0, 0, 120, -300, 330, -480, 840])
  const local = new Date(ms + offsetMin * 60_000).toISOString().slice(0, 19)
  const fraction = rng.pick([
    '',
    '',
    `.${pad(ms % 1000, 3)}`,
    `.${String(ms % 1000)
      .padStart(3, '0')
      .slice(0, 1)}`,
    `.${pad(ms % 1000, 3)}${rng.int(10000)}`,
    '.0005',
    '.9999',
  ])
  const zone =
    offsetMin === 0
      ? rng.pick(['Z', 'Z', '', '+00:00'])
      : `${offsetMin < 0 ? '-' : '+'}${pad(Math.trunc(offsetMin / 60))}:${pad(offsetMin % 60)}`
  return `${local}${fraction}${zone}`
}

function meta(rng: Rng, resourceType: string, id: string): Json {
  const created = randomDate(rng)
  const lastModified = new Date(Date.parse(created) + rng.int(SPAN / 4)).toISOString()
  return {
    resourceType,
    created,
    lastModified,
    version: `W/"${1 + rng.int(12)}"`,
    location: `https://scim.test/${resourceType}s/${id}`,
  }
}

function makeUser(rng: Rng, i: number, ids: string[]): Json {
  const given = rng.pick(GIVEN)
  const family = rng.pick(FAMILY)
  const id = ids[i]!
  const u: Json = { schemas: [URN_USER], id, userName: `${given}.${family}${i}`, meta: meta(rng, 'User', id) }
  if (rng.chance(0.9))
    u.name = { givenName: given, familyName: family, ...(rng.chance(0.3) && { formatted: `${given} ${family}` }) }
  if (rng.chance(0.7)) u.displayName = rng.chance(0.1) ? '' : `${given} ${family}`
  // Only where displayName hides it: members.display (coalesce(displayName, userName)) is compared with ASCII lower().
  if (u.displayName !== undefined && rng.chance(0.15)) u.userName = `${rng.pick(UNICODE_NAMES)}.${i}`
  if (rng.chance(0.6)) u.title = rng.pick(TITLES)
  if (rng.chance(0.6)) u.userType = rng.pick(['Employee', 'employee', 'Intern', 'Contractor'])
  if (rng.chance(0.8)) u.active = rng.chance(0.7)
  if (rng.chance(0.5)) u.externalId = `Ext-${rng.hex(3).toUpperCase()}${rng.hex(2)}`
  const emailCount = rng.int(4)
  if (emailCount > 0 || rng.chance(0.1)) {
    const primaryAt = rng.chance(0.6) ? rng.int(Math.max(emailCount, 1)) : -1
    u.emails = Array.from({ length: emailCount }, (_, k) => {
      const e: Json = { value: `${given.toLowerCase()}${k}@${rng.pick(DOMAINS)}` }
      if (rng.chance(0.85)) e.type = rng.pick(EMAIL_TYPES)
      if (k === primaryAt) e.primary = true
      else if (rng.chance(0.3)) e.primary = false
      return e
    })
  }
  if (rng.chance(0.3)) u.phoneNumbers = [{ value: `+1-555-${rng.hex(4)}`, type: rng.pick(['work', 'mobile']) }]
  if (rng.chance(0.6)) {
    const ext: Json = {}
    if (rng.chance(0.8)) ext.department = rng.pick(DEPARTMENTS)
    if (rng.chance(0.5)) ext.costCenter = `CC${rng.int(20)}`
    if (rng.chance(0.5)) ext.employeeNumber = String(1000 + rng.int(200))
    if (i > 0 && rng.chance(0.5))
      ext.manager = { value: ids[rng.int(i)], ...(rng.chance(0.5) && { displayName: rng.pick(GIVEN) }) }
    u[URN_ENTERPRISE] = ext
  }
  if (rng.chance(0.5)) {
    const acme: Json = {}
    if (rng.chance(0.8)) acme.level = rng.int(10)
    if (rng.chance(0.7)) acme.score = Math.round(rng.next() * 1000) / 100
    if (rng.chance(0.7)) acme.hiredAt = rng.chance(0.2) ? randomDate(rng) : writtenDate(rng)
    if (rng.chance(0.7)) acme.contractor = rng.chance(0.5)
    if (rng.chance(0.4)) acme.badge = rng.pick(['QUJD', 'qUJd', 'ZGVm'])
    if (rng.chance(0.7)) acme.tags = Array.from({ length: rng.int(3) }, () => rng.pick(TAGS))
    if (rng.chance(0.5))
      acme.codes = Array.from({ length: 1 + rng.int(2) }, () => ({
        value: rng.pick(['A1', 'a1', 'B2']),
        ...(rng.chance(0.7) && { kind: rng.pick(['x', 'Y']) }),
      }))
    u[URN_ACME] = acme
  }
  return u
}

/** Users and groups with memberships; each User's read-only `groups` is derived from the groups. */
export function generateDataset(rng: Rng, userCount: number, groupCount: number): Dataset {
  const userIds = Array.from({ length: userCount }, () => rng.hex(12))
  const groupIds = Array.from({ length: groupCount }, () => rng.hex(12))
  const users = userIds.map((_, i) => makeUser(rng, i, userIds))
  const groups: Json[] = []
  groupIds.forEach((id, g) => {
    const grp: Json = {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
      id,
      displayName: `${rng.pick(GROUP_NAMES)} ${g}`,
      meta: meta(rng, 'Group', id),
    }
    if (rng.chance(0.4)) grp.externalId = `G-${rng.hex(4)}`
    const memberIdx = new Set(Array.from({ length: rng.int(25) }, () => rng.int(userCount)))
    // A member shows as the group renders it: displayName, else userName (store/columns.ts memberDisplaySql).
    const members = [...memberIdx].map((k) => ({
      value: userIds[k]!,
      display: (users[k]!.displayName ?? users[k]!.userName) as string,
      type: 'User',
    }))
    if (g > 0 && rng.chance(0.3)) {
      const sub = rng.int(g)
      members.push({ value: groupIds[sub]!, display: String(groups[sub]!.displayName), type: 'Group' })
    }
    grp.members = members
    groups.push(grp)
  })
  const byId = new Map(users.map((u) => [u.id as string, u]))
  for (const grp of groups) {
    for (const m of grp.members as { value: string; type: string }[]) {
      const u = m.type === 'User' ? byId.get(m.value) : undefined
      if (!u) continue
      const list = (u.groups ??= []) as Json[]
      list.push({ value: grp.id, display: grp.displayName, type: 'direct' })
    }
  }
  return { users, groups }
}

const NOT_STORED = new Set(['id', 'meta', 'schemas', 'members', 'groups'])

/** Writes resources as the store does: canonical `data` without id/meta/schemas/members/groups, plus promoted columns. */
export function storeDataset(db: OpenedDatabase, ds: Dataset): void {
  const insert = db.sqlite.prepare(
    'INSERT INTO resources (id, type, name_ci, external_id, data, version, created, last_modified) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'
  )
  const member = db.sqlite.prepare('INSERT INTO group_members (group_id, member_id, member_type) VALUES (?, ?, ?)')
  db.sqlite.transaction(() => {
    for (const r of [...ds.users, ...ds.groups]) {
      const m = r.meta as Json
      const data = Object.fromEntries(Object.entries(r).filter(([k]) => !NOT_STORED.has(k)))
      const name = (m.resourceType === 'User' ? r.userName : r.displayName) as string
      const version = Number(/\d+/.exec(String(m.version))![0])
      insert.run(
        r.id as string,
        m.resourceType as string,
        foldCase(name),
        (r.externalId as string) ?? null,
        JSON.stringify(data),
        version,
        m.created as string,
        m.lastModified as string
      )
    }
    for (const g of ds.groups) {
      for (const mem of g.members as { value: string; type: string }[]) member.run(g.id as string, mem.value, mem.type)
    }
  })()
}

/** Ids matching a where-clause, sorted. */
export function sqlIds(db: OpenedDatabase, type: string, where: ReturnType<typeof sql>): string[] {
  const rows = db.orm.all<{ id: string }>(sql`SELECT id FROM resources WHERE type = ${type} AND ${where}`)
  return rows.map((r) => r.id).sort()
}

export { randomFilter } from './generate-filter'
