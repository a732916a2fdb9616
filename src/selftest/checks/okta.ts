// Okta's provisioning requests (Okta developer docs, "Okta and SCIM Version 2.0") and their answers.
import { getKey } from '../entra'
import { expectList, expectStatus, expectValue, fail, objectBody } from '../expect'
import {
  oktaAddMemberOps,
  oktaCreateGroup,
  oktaCreateUser,
  oktaDeactivateOps,
  oktaRemoveMemberOps,
  oktaRenameGroupOps,
  oktaReplaceUser,
  type OktaUser,
} from '../okta'
import type { Suite } from '../runner'
import type { Session } from '../session'
import { oktaFilterQuery, patchBody } from '../wire'
import { create, deleteAndGone, memberIds, need, patch, read, type Created } from './common'

/** Okta's bodies say `application/scim+json` without a charset. */
const OKTA = { contentType: 'application/scim+json' }

interface State {
  profile?: OktaUser
  user?: Created
  group?: Created
}

async function connection(s: Session) {
  // Okta's Test Connector Configuration: the first page of users, two at most.
  const resources = expectList(await s.send('GET', '/Users?startIndex=1&count=2'))
  if (resources.length > 2) fail(`GET /Users?startIndex=1&count=2 returned ${resources.length} users, more than count`)
  return '200 ListResponse with at most 2 users'
}

async function lookup(s: Session, st: State) {
  const name = s.name('okta')
  st.profile = { userName: `${name}@selftest.invalid`, givenName: 'Selftest', familyName: 'Okta', externalId: name }
  // Okta pages its lookups: startIndex=1&count=100.
  expectList(
    await s.send('GET', `/Users?${oktaFilterQuery('userName', st.profile.userName)}&startIndex=1&count=100`),
    0
  )
  return '200 ListResponse, totalResults 0 for a new userName'
}

async function createUser(s: Session, st: State) {
  const x = await s.send('POST', '/Users', oktaCreateUser(need(st.profile)), OKTA)
  expectStatus(x, 201)
  const body = objectBody(x)
  if (typeof body.id !== 'string') fail('POST /Users answered 201 without an "id"')
  st.user = { id: body.id, name: need(st.profile).userName, response: x }
  s.track(`/Users/${body.id}`)
  if (getKey(body, 'password') !== undefined)
    fail('POST /Users echoed the password back; RFC 7643 §4.1.1 says it is never returned')
  return `201 with an id, password not echoed, user ${body.id}`
}

async function readUser(s: Session, st: State) {
  const user = need(st.user)
  const got = await read(s, `/Users/${user.id}`)
  expectValue('id', got.id, user.id)
  expectValue('userName', getKey(got, 'userName'), user.name)
  return 'GET by id returns the user'
}

async function replaceUser(s: Session, st: State) {
  const user = need(st.user)
  const profile = { ...need(st.profile), givenName: 'Replaced' }
  expectStatus(await s.send('PUT', `/Users/${user.id}`, oktaReplaceUser(user.id, profile), OKTA), 200)
  const got = await read(s, `/Users/${user.id}`)
  expectValue('name.givenName after PUT', getKey(getKey(got, 'name'), 'givenName'), 'Replaced')
  expectValue('active after PUT', getKey(got, 'active'), true)
  return 'PUT replaces the whole user and answers 200'
}

async function deactivate(s: Session, st: State) {
  const path = `/Users/${need(st.user).id}`
  await patch(s, path, patchBody(oktaDeactivateOps()))
  const active = getKey(await read(s, path), 'active')
  if (active !== false)
    fail(`active after {"op":"replace","value":{"active":false}} is ${JSON.stringify(active)}, expected false`)
  return 'path-less replace {active: false} deactivates'
}

async function pushGroup(s: Session, st: State) {
  st.group = await create(s, '/Groups', oktaCreateGroup(s.name('okta-group')))
  const group = st.group
  await patch(
    s,
    `/Groups/${group.id}`,
    patchBody(oktaAddMemberOps([{ id: need(st.user).id, display: need(st.user).name }]))
  )
  expectValue('members after the add', memberIds(await read(s, `/Groups/${group.id}`)), [need(st.user).id])
  return 'POST /Groups, then add members with value and display'
}

async function renameGroup(s: Session, st: State) {
  const group = need(st.group)
  const renamed = `${group.name}-renamed`
  await patch(s, `/Groups/${group.id}`, patchBody(oktaRenameGroupOps(group.id, renamed)))
  expectValue('displayName after the rename', getKey(await read(s, `/Groups/${group.id}`), 'displayName'), renamed)
  return 'path-less replace {id, displayName} renames (the echoed id is accepted)'
}

async function removeMember(s: Session, st: State) {
  const path = `/Groups/${need(st.group).id}`
  await patch(s, path, patchBody(oktaRemoveMemberOps([need(st.user).id])))
  expectValue('members after the removal', memberIds(await read(s, path)), [])
  return 'remove members[value eq "…"] removes the member'
}

async function deleteAll(s: Session, st: State) {
  await deleteAndGone(s, `/Groups/${need(st.group).id}`)
  // Okta itself deactivates rather than deletes users; the selftest removes its own.
  await deleteAndGone(s, `/Users/${need(st.user).id}`)
  return 'group DELETE answers 204, then GET 404'
}

export const oktaSuite: Suite<State> = {
  title: 'Okta',
  state: () => ({}),
  checks: [
    { name: 'test connection', run: connection },
    { name: 'lookup by userName', run: lookup },
    { name: 'create user', run: createUser },
    { name: 'get user by id', run: readUser },
    { name: 'replace user (PUT)', run: replaceUser },
    { name: 'deactivate (PATCH active false)', run: deactivate },
    { name: 'group push: create and add member', run: pushGroup },
    { name: 'group push: rename', run: renameGroup },
    { name: 'group push: remove member', run: removeMember },
    { name: 'group push: delete', run: deleteAll },
  ],
}
