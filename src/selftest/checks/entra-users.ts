// Entra's user lifecycle in one PATCH dialect (entra-wire §1.1, §1.3–1.8, §2.1).
import { activeOp, getKey, managerOp, writeOps, type Dialect } from '../entra'
import { expectList, expectValue, fail } from '../expect'
import type { Suite } from '../runner'
import type { Session } from '../session'
import { filterQuery, patchBody, URN_ENTERPRISE } from '../wire'
import { createEntraUser, deleteAndGone, need, patch, read, workEmail, type Created } from './common'

interface State {
  user?: Created
  manager?: Created
}

async function createUser(s: Session, st: State, dialect: Dialect) {
  const role = dialect === 'default' ? 'entra' : 'entra-flag'
  // Entra queries before it creates (entra-wire §1.1 step 2).
  expectList(await s.send('GET', `/Users?${filterQuery('userName', `${s.name(role)}@selftest.invalid`)}`), 0)
  st.manager = await createEntraUser(s, `${role}-manager`)
  st.user = await createEntraUser(s, role)
  return `201 with an id for Entra's body (enterprise extension, meta, roles: []), user ${st.user.id}`
}

async function matchUser(s: Session, st: State) {
  const user = need(st.user)
  const found = expectList(await s.send('GET', `/Users?${filterQuery('userName', user.name)}`), 1)
  expectValue('the matched id', found[0]?.id, user.id)
  const byExternal = expectList(await s.send('GET', `/Users?${filterQuery('externalId', user.name.split('@')[0]!)}`), 1)
  expectValue('the id matched by externalId', byExternal[0]?.id, user.id)
  return 'filter userName eq and externalId eq each find exactly the created user'
}

async function updateUser(s: Session, st: State, dialect: Dialect) {
  const user = need(st.user)
  const manager = need(st.manager)
  const path = `/Users/${user.id}`
  const email = `${user.name.split('@')[0]}.updated@selftest.invalid`
  const values = [
    ['displayName', 'Selftest updated'],
    ['name.givenName', 'Updated'],
    ['emails[type eq "work"].value', email],
    [`${URN_ENTERPRISE}:department`, 'Selftest updated'],
  ] as const
  await patch(s, path, patchBody(writeOps(values, dialect)))
  // The manager link is its own, later PATCH (entra-wire §1.1 step 5).
  await patch(s, path, patchBody([managerOp(manager.id, dialect)]))
  const got = await read(s, path)
  expectValue('displayName after PATCH', getKey(got, 'displayName'), 'Selftest updated')
  expectValue('name.givenName after PATCH', getKey(getKey(got, 'name'), 'givenName'), 'Updated')
  expectValue('the work email after PATCH', workEmail(got), email)
  const enterprise = getKey(got, URN_ENTERPRISE)
  expectValue('enterprise department after PATCH', getKey(enterprise, 'department'), 'Selftest updated')
  expectValue('enterprise manager.value after PATCH', getKey(getKey(enterprise, 'manager'), 'value'), manager.id)
  const shape =
    dialect === 'default'
      ? 'capitalised ops, one per attribute'
      : 'lowercase ops, one path-less replace with dotted keys'
  return `PATCH (${shape}) and the manager as a bare id are applied and read back`
}

async function disableUser(s: Session, st: State, dialect: Dialect) {
  const path = `/Users/${need(st.user).id}`
  await patch(s, path, patchBody([activeOp(false, dialect)]))
  const active = getKey(await read(s, path), 'active')
  if (active !== false) fail(`active after PATCH is ${JSON.stringify(active)}, expected the boolean false`)
  return dialect === 'default'
    ? 'Replace active "False" (a string) reads back as false'
    : 'replace active false reads back as false'
}

async function deleteUser(s: Session, st: State) {
  await deleteAndGone(s, `/Users/${need(st.user).id}`)
  await deleteAndGone(s, `/Users/${need(st.manager).id}`)
  return '204, then GET answers 404'
}

export function entraUserSuite(dialect: Dialect): Suite<State> {
  return {
    title: `Entra users (${dialect === 'default' ? 'default PATCH' : '?aadOptscim062020'})`,
    state: () => ({}),
    checks: [
      { name: 'create', run: (s, st) => createUser(s, st, dialect) },
      { name: 'match', run: matchUser },
      { name: 'update', run: (s, st) => updateUser(s, st, dialect) },
      { name: 'disable', run: (s, st) => disableUser(s, st, dialect) },
      { name: 'delete', run: deleteUser },
    ],
  }
}
