// Random RFC 7644 §3.4.2.2 filters over the built-in (+ Acme) User/Group schemas, with values drawn from a dataset.
import type { Dataset, Json, Rng } from './generate'

const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'
const ACME = 'urn:example:params:scim:schemas:extension:acme:2.0:User'
const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User'

type Kind = 'str' | 'bool' | 'date' | 'int' | 'dec' | 'bin'
type Leaf = [path: string, kind: Kind]
type ValuePathSpec = [path: string, subs: Leaf[]]

const META: Leaf[] = [
  ['meta.created', 'date'],
  ['meta.lastModified', 'date'],
  ['meta.resourceType', 'str'],
  ['meta.version', 'str'],
]
const META_SUBS: Leaf[] = [
  ['created', 'date'],
  ['lastModified', 'date'],
  ['resourceType', 'str'],
  ['version', 'str'],
]

const USER_LEAVES: Leaf[] = [
  ['userName', 'str'],
  ['displayName', 'str'],
  ['title', 'str'],
  ['userType', 'str'],
  ['name.givenName', 'str'],
  ['name.familyName', 'str'],
  ['name.formatted', 'str'],
  ['externalId', 'str'],
  ['id', 'str'],
  ['emails', 'str'],
  ['emails.value', 'str'],
  ['emails.type', 'str'],
  ['emails.display', 'str'],
  ['emails.primary', 'bool'],
  ['phoneNumbers.value', 'str'],
  ['active', 'bool'],
  [`${CORE}:userName`, 'str'],
  [`${CORE}:name.familyName`, 'str'],
  [`${ENT}:department`, 'str'],
  [`${ENT}:costCenter`, 'str'],
  [`${ENT}:employeeNumber`, 'str'],
  [`${ENT}:manager`, 'str'],
  [`${ENT}:manager.value`, 'str'],
  [`${ENT}:manager.displayName`, 'str'],
  ['groups', 'str'],
  ['groups.value', 'str'],
  ['groups.display', 'str'],
  ['groups.type', 'str'],
  [`${ACME}:level`, 'int'],
  [`${ACME}:score`, 'dec'],
  [`${ACME}:hiredAt`, 'date'],
  [`${ACME}:contractor`, 'bool'],
  [`${ACME}:badge`, 'bin'],
  [`${ACME}:tags`, 'str'],
  [`${ACME}:codes`, 'str'],
  [`${ACME}:codes.value`, 'str'],
  [`${ACME}:codes.kind`, 'str'],
  ...META,
]
const USER_VALUE_PATHS: ValuePathSpec[] = [
  [
    'emails',
    [
      ['value', 'str'],
      ['type', 'str'],
      ['primary', 'bool'],
      ['display', 'str'],
    ],
  ],
  [
    'phoneNumbers',
    [
      ['value', 'str'],
      ['type', 'str'],
    ],
  ],
  [
    'groups',
    [
      ['value', 'str'],
      ['display', 'str'],
      ['type', 'str'],
    ],
  ],
  [
    `${ENT}:manager`,
    [
      ['value', 'str'],
      ['displayName', 'str'],
    ],
  ],
  [
    'name',
    [
      ['givenName', 'str'],
      ['familyName', 'str'],
    ],
  ],
  [
    `${ACME}:codes`,
    [
      ['value', 'str'],
      ['kind', 'str'],
    ],
  ],
  ['meta', META_SUBS],
]
const GROUP_LEAVES: Leaf[] = [
  ['displayName', 'str'],
  ['externalId', 'str'],
  ['id', 'str'],
  ['members', 'str'],
  ['members.value', 'str'],
  ['members.display', 'str'],
  ['members.type', 'str'],
  ...META,
]
const GROUP_VALUE_PATHS: ValuePathSpec[] = [
  [
    'members',
    [
      ['value', 'str'],
      ['display', 'str'],
      ['type', 'str'],
    ],
  ],
  ['meta', META_SUBS],
]

const JUNK = ['', 'x', '%', '_', '\\', 'a%', 'zzz', 'E', 'Sales', '@', '.com', 'User']
const STRING_OPS = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le']
const ORDER_OPS = ['eq', 'ne', 'gt', 'ge', 'lt', 'le']

/** Every value at `path` (URN-qualified or not, one optional sub-attribute) in a full resource. */
export function collect(resource: Json, path: string): unknown[] {
  const colon = path.lastIndexOf(':')
  const uri = colon >= 0 ? path.slice(0, colon) : undefined
  const holder = uri === undefined || uri === CORE ? resource : (resource[uri] as Json | undefined)
  const [name, sub] = path.slice(colon + 1).split('.') as [string, string | undefined]
  const v = holder?.[name]
  const list = Array.isArray(v) ? v : v === undefined ? [] : [v]
  const values = sub ? list.map((e) => (e as Json)?.[sub]) : list
  // Complex with no sub-attribute compares `value`.
  return values
    .flatMap((x) => (Array.isArray(x) ? x : [x]))
    .map((x) => (x && typeof x === 'object' && 'value' in x ? (x as Json).value : x))
    .filter((x) => x !== undefined)
}

function mixCase(rng: Rng, s: string): string {
  return [...s].map((c) => (rng.chance(0.5) ? c.toUpperCase() : c.toLowerCase())).join('')
}

function stringValue(rng: Rng, seen: unknown[]): string {
  const strings = seen.filter((x): x is string => typeof x === 'string')
  const base = strings.length > 0 && rng.chance(0.85) ? rng.pick(strings) : rng.pick(JUNK)
  const cut = 1 + rng.int(Math.max(base.length, 1))
  switch (rng.int(7)) {
    case 0:
      return base.slice(0, cut)
    case 1:
      return base.slice(base.length - cut)
    case 2:
      return base.slice(rng.int(base.length), rng.int(base.length) + 2)
    case 3:
      return mixCase(rng, base)
    default:
      return base
  }
}

function dateValue(rng: Rng, seen: unknown[]): string {
  const strings = seen.filter((x): x is string => typeof x === 'string')
  const iso =
    strings.length > 0 && rng.chance(0.6)
      ? rng.pick(strings)
      : new Date(Date.UTC(2020, 0, 1) + rng.int(4 * 365 * 86400000)).toISOString()
  switch (rng.int(4)) {
    case 0:
      return iso.replace(/\.\d{3}Z$/, 'Z') // no milliseconds
    case 1: {
      const shifted = new Date(Date.parse(iso) + 2 * 3600000).toISOString().slice(0, 19)
      return `${shifted}+02:00` // same instant, other offset
    }
    case 2:
      return iso.slice(0, 10) // date only: midnight UTC
    default:
      return iso
  }
}

function literal(rng: Rng, kind: Kind, seen: unknown[]): string {
  switch (kind) {
    case 'str':
    case 'bin':
      return JSON.stringify(stringValue(rng, seen))
    case 'bool':
      return rng.pick(['true', 'false', '"True"', '"FALSE"', 'True'])
    case 'date':
      return JSON.stringify(dateValue(rng, seen))
    case 'int':
      return String(rng.int(12) - 1)
    case 'dec':
      return String(Math.round(rng.next() * 1100) / 100)
  }
}

function opsFor(kind: Kind): string[] {
  if (kind === 'str') return STRING_OPS
  if (kind === 'bool' || kind === 'bin') return ['eq', 'ne']
  return ORDER_OPS
}

/** `userName` → `USERNAME` sometimes: names and keywords are case-insensitive (RFC 7644 §3.4.2.2). */
function spell(rng: Rng, word: string): string {
  return rng.chance(0.15) ? mixCase(rng, word) : word
}

function leafText(rng: Rng, [path, kind]: Leaf, seen: unknown[]): string {
  const p = spell(rng, path)
  const r = rng.next()
  if (r < 0.12) return `${p} ${spell(rng, 'pr')}`
  if (r < 0.17) return `${p} ${rng.pick(['eq', 'ne'])} null`
  return `${p} ${spell(rng, rng.pick(opsFor(kind)))} ${literal(rng, kind, seen)}`
}

export interface FilterContext {
  rng: Rng
  resources: Json[]
  leaves: Leaf[]
  valuePaths: ValuePathSpec[]
}

function sample(ctx: FilterContext, path: string): unknown[] {
  return collect(ctx.rng.pick(ctx.resources), path)
}

function expr(ctx: FilterContext, depth: number, leaves: Leaf[], prefix: string | undefined): string {
  const { rng } = ctx
  const r = rng.next()
  const sub = () => expr(ctx, depth - 1, leaves, prefix)
  if (depth > 0 && r < 0.22) return `${sub()} ${spell(rng, 'and')} ${sub()}`
  if (depth > 0 && r < 0.36) return `${sub()} ${spell(rng, 'or')} ${sub()}`
  if (depth > 0 && r < 0.46) return `${spell(rng, 'not')} (${sub()})`
  if (depth > 0 && r < 0.54) return `(${sub()})`
  if (prefix === undefined && depth > 0 && r < 0.7) {
    const [path, subs] = rng.pick(ctx.valuePaths)
    const inner = expr(ctx, Math.min(depth - 1, 2), subs, path)
    // Entra's `emails[type eq "work"].value eq "x"` form now and then.
    if (path === 'emails' && rng.chance(0.2))
      return `emails[${inner}].value co ${JSON.stringify(stringValue(rng, sample(ctx, 'emails.value')))}`
    return `${spell(rng, path)}[${inner}]`
  }
  const leaf = rng.pick(leaves)
  const seenPath = prefix === undefined ? leaf[0] : `${prefix}.${leaf[0]}`
  return leafText(rng, leaf, sample(ctx, seenPath))
}

/** One random filter for `type` ('User' or 'Group'), up to `depth` levels of and/or/not/(). */
export function randomFilter(rng: Rng, ds: Dataset, type: 'User' | 'Group', depth = 3): string {
  const ctx: FilterContext =
    type === 'User'
      ? { rng, resources: ds.users, leaves: USER_LEAVES, valuePaths: USER_VALUE_PATHS }
      : { rng, resources: ds.groups, leaves: GROUP_LEAVES, valuePaths: GROUP_VALUE_PATHS }
  return expr(ctx, depth, ctx.leaves, undefined)
}
