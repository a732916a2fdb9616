// Entra's group lifecycle in one PATCH dialect (entra-wire §1.11, §2.1).
import { addMemberOps, getKey, groupBody, opName, removeMemberOps, type Dialect } from '../entra'
import { expectList, expectValue, fail } from '../expect'
import type { Suite } from '../runner'
import type { Session } from '../session'
import { filterQuery, patchBody } from '../wire'
import { create, createEntraUser, deleteAndGone, memberIds, need, patch, read, type Created } from './common'

interface State {
  group?: Created
  members: Created[]
}

function sorted(ids: readonly string[]): string[] {
  return [...ids].sort()
}

async function createGroup(s: Session, st: State, dialect: Dialect) {
  const role = dialect === 'default' ? 'entra-group' : 'entra-flag-group'
  const displayName = s.name(role)
  expectList(await s.send('GET', `/Groups?excludedAttributes=members&${filterQuery('displayName', displayName)}`), 0)
  st.members = [await createEntraUser(s, `${role}-member1`), await createEntraUser(s, `${role}-member2`)]
  st.group = await create(s, '/Groups', groupBody({ displayName, externalId: displayName }))
  return `201 with an id for Entra's body (legacy Microsoft schema URI, members: []), group ${st.group.id}`
}

async function addMembers(s: Session, st: State, dialect: Dialect) {
  const path = `/Groups/${need(st.group).id}`
  const ids = st.members.map((m) => m.id)
  // Entra sends one operation per member (entra-wire §1.11).
  await patch(s, path, patchBody(addMemberOps(ids, dialect)))
  expectValue('members after the add', sorted(memberIds(await read(s, path))), sorted(ids))
  return `both members added (${dialect === 'default' ? 'Add with "$ref": null' : 'add with value'})`
}

async function removeMember(s: Session, st: State, dialect: Dialect) {
  const path = `/Groups/${need(st.group).id}`
  const [gone, kept] = st.members
  await patch(s, path, patchBody(removeMemberOps([gone!.id], dialect)))
  const left = memberIds(await read(s, path))
  if (left.length === 0)
    fail('removing one member emptied the group: the server treats Entra\'s member removal as "remove all members"')
  expectValue('members after removing one', left, [kept!.id])
  return dialect === 'default'
    ? 'Remove path "members" with a value list removes only that member'
    : 'remove members[value eq "…"] removes only that member'
}

async function renameGroup(s: Session, st: State, dialect: Dialect) {
  const path = `/Groups/${need(st.group).id}`
  const renamed = `${need(st.group).name}-renamed`
  await patch(s, path, patchBody([{ op: opName('replace', dialect), path: 'displayName', value: renamed }]))
  expectValue('displayName after the rename', getKey(await read(s, path), 'displayName'), renamed)
  return 'displayName replaced'
}

async function deleteGroup(s: Session, st: State) {
  await deleteAndGone(s, `/Groups/${need(st.group).id}`)
  for (const m of st.members) await deleteAndGone(s, `/Users/${m.id}`)
  return '204, then GET answers 404 (members deleted too)'
}

export function entraGroupSuite(dialect: Dialect): Suite<State> {
  return {
    title: `Entra groups (${dialect === 'default' ? 'default PATCH' : '?aadOptscim062020'})`,
    state: () => ({ members: [] }),
    checks: [
      { name: 'create', run: (s, st) => createGroup(s, st, dialect) },
      { name: 'member add', run: (s, st) => addMembers(s, st, dialect) },
      { name: 'member remove', run: (s, st) => removeMember(s, st, dialect) },
      { name: 'rename', run: (s, st) => renameGroup(s, st, dialect) },
      { name: 'delete', run: deleteGroup },
    ],
  }
}
