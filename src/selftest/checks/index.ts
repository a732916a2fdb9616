// The selftest's suites in run order: connection first, content type last (it judges all responses).
import { DIALECTS } from '../entra'
import type { Suite } from '../runner'
import { connectionSuite } from './connection'
import { entraGroupSuite } from './entra-groups'
import { entraUserSuite } from './entra-users'
import { oktaSuite } from './okta'
import { protocolSuite } from './protocol'

// biome-ignore lint/suspicious/noExplicitAny: each suite has its own state type; the runner treats them alike
export const SUITES: readonly Suite<any>[] = [
  connectionSuite,
  ...DIALECTS.map(entraUserSuite),
  ...DIALECTS.map(entraGroupSuite),
  oktaSuite,
  protocolSuite,
]
