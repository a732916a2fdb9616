// Runs selftest suites in order, turns checks into verdicts, and removes what the checks created.
import { answered, CheckFailure } from './expect'
import { Session, type SessionOptions } from './session'

export type Status = 'pass' | 'warn' | 'fail' | 'skip'

export interface Result {
  name: string
  status: Status
  reason: string
}

/** What a check returns: the reason it passed, or a warning that does not fail the run. */
export type Outcome = string | { warn: string }

export interface Check<S> {
  name: string
  run(session: Session, state: S): Promise<Outcome>
}

/**
 * Checks that share state (a created user, its id) and run in order. After a failure the rest
 * of a dependent suite is skipped; an `independent` suite runs every check regardless.
 */
export interface Suite<S> {
  title: string
  independent?: boolean
  state(): S
  checks: readonly Check<S>[]
}

export interface SelftestOptions extends SessionOptions {
  /** Called as each verdict is known, so a terminal shows progress. */
  onResult?: (result: Result) => void
  /** Once aborted (Ctrl-C), the remaining checks are skipped and the clean-up still runs. */
  signal?: AbortSignal
}

function verdict(name: string, outcome: Outcome): Result {
  return typeof outcome === 'string'
    ? { name, status: 'pass', reason: outcome }
    : { name, status: 'warn', reason: outcome.warn }
}

async function runCheck<S>(name: string, check: Check<S>, session: Session, state: S): Promise<Result> {
  try {
    return verdict(name, await check.run(session, state))
  } catch (err) {
    const reason =
      err instanceof CheckFailure ? err.message : `unexpected error: ${(err as Error)?.message ?? String(err)}`
    return { name, status: 'fail', reason }
  }
}

async function runSuite<S>(
  suite: Suite<S>,
  session: Session,
  emit: (r: Result) => void,
  signal?: AbortSignal
): Promise<void> {
  const state = suite.state()
  let failed: string | undefined
  for (const check of suite.checks) {
    const name = `${suite.title}: ${check.name}`
    if (signal?.aborted) {
      emit({ name, status: 'skip', reason: 'not run: interrupted' })
      continue
    }
    if (failed !== undefined) {
      emit({ name, status: 'skip', reason: `not run: needs "${failed}", which failed` })
      continue
    }
    const result = await runCheck(name, check, session, state)
    emit(result)
    if (result.status === 'fail' && !suite.independent) failed = check.name
  }
}

/** Deletes what the checks left behind; 404 counts as gone. */
async function cleanUp(session: Session): Promise<Result> {
  const name = 'clean-up: nothing left behind'
  const left = session.leftovers()
  const stuck: string[] = []
  for (const path of left) {
    try {
      const x = await session.send('DELETE', path)
      if (x.status === 204 || x.status === 200 || x.status === 404) session.untrack(path)
      else stuck.push(answered(x))
    } catch (err) {
      stuck.push((err as Error).message)
    }
  }
  if (stuck.length > 0) {
    return {
      name,
      status: 'fail',
      reason: `could not delete ${stuck.length} test resource(s), remove them by hand: ${stuck.join('; ')}`,
    }
  }
  return {
    name,
    status: 'pass',
    reason:
      left.length === 0
        ? 'every check removed what it created'
        : `deleted ${left.length} resource(s) that failed checks left behind`,
  }
}

/** Runs `suites` against the deployment at `options.url`; resolves with every verdict, in order. */
// biome-ignore lint/suspicious/noExplicitAny: suites carry their own state types
export async function runSuites(suites: readonly Suite<any>[], options: SelftestOptions): Promise<Result[]> {
  const session = new Session(options)
  const results: Result[] = []
  const emit = (r: Result) => {
    results.push(r)
    options.onResult?.(r)
  }
  try {
    for (const suite of suites) await runSuite(suite, session, emit, options.signal)
  } finally {
    emit(await cleanUp(session))
  }
  return results
}

/** 0 only when every check passed (warnings allowed), else 1. */
export function exitCode(results: readonly Result[]): number {
  return results.every((r) => r.status === 'pass' || r.status === 'warn') ? 0 : 1
}
