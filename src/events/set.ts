// A journal entry as the claims of an RFC 8417 Security Event Token, in RFC 9967's SCIM profile.
import type { JournalChange, JournalEntry } from '../journal/types'
import { etagOf } from '../scim/render'
import { EVENT_ACTIVATE, EVENT_CREATE, EVENT_DEACTIVATE, EVENT_DELETE, EVENT_PATCH, EVENT_PUT } from './uris'

/** Where a tenant's events come from and go to, for the claims that name them. */
export interface Feed {
  /** The tenant's SCIM base URL (RFC 7644 §1.3): the SETs' `iss`. */
  issuer: string
  /** The tenant's event feed (its poll endpoint): the SETs' `aud`. */
  audience: string
  /** The endpoint of a resource type (`/Users` for `User`), for `sub_id.uri`. */
  endpointOf(resourceType: string): string
}

/** RFC 9967 §2.1 subject identifier. */
export interface ScimSubject {
  format: 'scim'
  uri: string
  id: string
  externalId?: string
}

/** The JWT claims of one SET (RFC 8417 §2.2; `sub_id` from RFC 9493 as RFC 9967 §2.1 requires). */
export interface SetClaims {
  iss: string
  iat: number
  jti: string
  aud: string[]
  txn: string
  sub_id: ScimSubject
  events: Record<string, Record<string, unknown>>
}

/**
 * The SET's id: the journal position and the start of the entry's hash. A redelivered event keeps
 * its jti (RFC 8936 acknowledges by jti), and the position in it lets an ack be checked against
 * the journal without a table of issued ids.
 */
export function jtiOf(entry: Pick<JournalEntry, 'seq' | 'hash'>): string {
  return `${entry.seq}.${entry.hash.slice(0, 32)}`
}

/** The journal position a jti of ours names, or undefined for anything else. */
export function seqOfJti(jti: string): number | undefined {
  const m = /^([1-9][0-9]{0,15})\.[0-9a-f]{0,32}$/.exec(jti)
  return m ? Number(m[1]) : undefined
}

/**
 * The SET's `txn` (RFC 9967 §2.2: it "uniquely identifies a transaction", so receivers may drop
 * SETs whose txn they saw): the request id and the entry's journal position. The request id alone
 * was shared by distinct changes, since a client may send its own (`x-request-id`) and every
 * operation of one Bulk request has its request's; the position makes it one change's, and the
 * same for a redelivered SET. A change no request made (the command line) has the position only.
 */
export function txnOf(entry: Pick<JournalEntry, 'seq' | 'requestId'>): string {
  return entry.requestId === null ? String(entry.seq) : `${entry.requestId}:${entry.seq}`
}

/**
 * The SET for one journal entry (RFC 9967 §2.4): create, put (a replace) or patch notices with
 * the changed attributes and the resulting ETag, a delete without payload, and beside a put or
 * patch that turns `active` true or false the activate or deactivate event (§2.1: several events
 * in one SET arise from the same state change of one resource). `iat` is the commit time, so a
 * redelivered SET carries the same claims.
 */
export function setClaims(entry: JournalEntry, feed: Feed): SetClaims {
  const externalId = changeOf(entry.changes, 'externalId')
  const known = externalId?.after ?? externalId?.before
  const subject: ScimSubject = {
    format: 'scim',
    uri: `${feed.endpointOf(entry.resourceType)}/${entry.resourceId}`,
    id: entry.resourceId,
    ...(typeof known === 'string' ? { externalId: known } : {}),
  }
  return {
    iss: feed.issuer,
    iat: Math.floor(Date.parse(entry.at) / 1000),
    jti: jtiOf(entry),
    aud: [feed.audience],
    txn: txnOf(entry),
    sub_id: subject,
    events: eventsOf(entry),
  }
}

function eventsOf(entry: JournalEntry): SetClaims['events'] {
  if (entry.op === 'delete') return { [EVENT_DELETE]: {} }
  const notice: Record<string, unknown> = { attributes: attributesOf(entry.changes) }
  if (entry.versionAfter !== null) notice.version = etagOf(entry.versionAfter)
  if (entry.op === 'create') return { [EVENT_CREATE]: notice }
  const events: SetClaims['events'] = { [entry.op === 'replace' ? EVENT_PUT : EVENT_PATCH]: notice }
  const active = changeOf(entry.changes, 'active')
  if (active && active.after !== active.before) {
    if (active.after === true) events[EVENT_ACTIVATE] = {}
    if (active.after === false) events[EVENT_DEACTIVATE] = {}
  }
  return events
}

function changeOf(changes: readonly JournalChange[], name: string): JournalChange | undefined {
  const lower = name.toLowerCase()
  return changes.find((c) => c.path.toLowerCase() === lower)
}

/**
 * The changed attributes as RFC 7644 §3.5.2 attribute paths, each once, in the journal's order: a
 * value filter is dropped (`emails[type eq "work"].value` is `emails.value`), so a notice names
 * attributes and never repeats the values it selected by.
 */
export function attributesOf(changes: readonly JournalChange[]): string[] {
  const seen = new Set<string>()
  // Most paths carry no filter: they are taken as they are, without a walk over their characters.
  for (const { path } of changes) seen.add(path.includes('[') ? withoutFilters(path) : path)
  return [...seen]
}

function withoutFilters(path: string): string {
  let out = ''
  let depth = 0
  let quoted = false
  for (let i = 0; i < path.length; i++) {
    const c = path[i]!
    if (depth > 0) {
      if (quoted && c === '\\') i++
      else if (c === '"') quoted = !quoted
      else if (!quoted && c === ']') depth--
      continue
    }
    if (c === '[') depth++
    else out += c
  }
  return out
}
