// Okta's SCIM 2.0 request bodies (Okta developer docs, "Okta and SCIM Version 2.0").
import { URN_GROUP, URN_USER, type PatchOperation, type ScimObject } from './wire'

export interface OktaUser {
  userName: string
  givenName: string
  familyName: string
  externalId: string
}

/**
 * `POST /Users` as Okta sends it: the profile, a work email equal to userName, `groups: []`,
 * a password (Okta pushes one when the app syncs passwords) and `active: true`.
 */
export function oktaCreateUser(u: OktaUser): ScimObject {
  return {
    schemas: [URN_USER],
    userName: u.userName,
    name: { givenName: u.givenName, familyName: u.familyName },
    emails: [{ primary: true, value: u.userName, type: 'work' }],
    displayName: `${u.givenName} ${u.familyName}`,
    locale: 'en-US',
    externalId: u.externalId,
    groups: [],
    password: `Pw-${u.externalId}`,
    active: true,
  }
}

/** `PUT /Users/{id}`: Okta replaces the whole user, echoing `id` and the full profile. */
export function oktaReplaceUser(id: string, u: OktaUser): ScimObject {
  const { password: _password, groups: _groups, ...rest } = oktaCreateUser(u)
  return { ...rest, id, schemas: [URN_USER] }
}

/** Deactivation: one path-less replace carrying `{ active: false }`. */
export function oktaDeactivateOps(): PatchOperation[] {
  return [{ op: 'replace', value: { active: false } }]
}

/** `POST /Groups` for group push: the name and an empty member list. */
export function oktaCreateGroup(displayName: string): ScimObject {
  return { schemas: [URN_GROUP], displayName, members: [] }
}

/** Rename: a path-less replace echoing the group `id` with the new displayName. */
export function oktaRenameGroupOps(id: string, displayName: string): PatchOperation[] {
  return [{ op: 'replace', value: { id, displayName } }]
}

/** Member add: `value` and `display` per member on the `members` path. */
export function oktaAddMemberOps(members: readonly { id: string; display: string }[]): PatchOperation[] {
  return [{ op: 'add', path: 'members', value: members.map((m) => ({ value: m.id, display: m.display })) }]
}

/** Member removal: one value-filter path per member. */
export function oktaRemoveMemberOps(ids: readonly string[]): PatchOperation[] {
  return ids.map((id) => ({ op: 'remove', path: `members[value eq "${id}"]` }))
}
