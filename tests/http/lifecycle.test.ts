// Entra provisioning lifecycle replayed in-process for each vendor pack and both PATCH dialects
// (entra-wire §1.1, §2.1), plus vendor attributes round-tripping with no pack enabled.
import { describe, test } from 'bun:test'
import { makeTestApp } from '../helpers/app'
import { runLifecycle, type Client } from '../helpers/lifecycle'
import { APP_PACKS, DIALECTS, appPack } from '../helpers/packs'

async function clientFor(schemaPacks: string[]): Promise<Client> {
  const app = await makeTestApp({ schemaPacks })
  return (method, path, body, headers) => app.request(method, path, body, headers)
}

describe('Entra lifecycle (in-process)', () => {
  for (const pack of APP_PACKS) {
    for (const dialect of DIALECTS) {
      test(`${pack.name} / ${dialect}`, async () => {
        await runLifecycle(await clientFor([pack.name]), pack, dialect)
      }, 30_000)
    }
  }

  // Entra omits vendor URNs from `schemas`; the server must keep them even without the pack.
  for (const name of ['alertmedia', 'mediusflow']) {
    for (const dialect of DIALECTS) {
      test(`${name} / ${dialect} / no pack enabled`, async () => {
        await runLifecycle(await clientFor([]), appPack(name), dialect)
      }, 30_000)
    }
  }
})
