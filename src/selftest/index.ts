// `scim-server selftest`: replays Entra's and Okta's requests against a deployment via any fetch.
import { SUITES } from './checks'
import { runSuites, type Result, type SelftestOptions } from './runner'

export { exitCode, type Result, type SelftestOptions, type Status } from './runner'
export type { Fetcher } from './session'

/** Runs every check against `options.url`, then removes what it created; resolves with the verdicts. */
export function runSelftest(options: SelftestOptions): Promise<Result[]> {
  return runSuites(SUITES, options)
}
