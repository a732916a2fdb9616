// The `selftest` command: real fetch (TLS verification off only with --insecure), a line per
// check as it finishes, and the exit code (0 only when every check passed).
import type { Config } from '../cli/args'
import { exitCode, runSelftest, type Fetcher } from './index'
import { formatResult, summary } from './report'
import { tenantBase } from './session'

export async function selftest(config: Config): Promise<number> {
  const url = config.url!
  const insecure = config.insecure
  const fetcher: Fetcher = (target, init) => fetch(target, insecure ? { ...init, tls: { rejectUnauthorized: false } } : init)
  console.log(`scim-server selftest against ${tenantBase(url)}`)
  const results = await runSelftest({
    url,
    token: config.tokens[0]!,
    fetch: fetcher,
    insecure,
    onResult: (r) => console.log(formatResult(r)),
  })
  console.log(summary(results))
  return exitCode(results)
}
