// The five vendor packs' mapping tables (tutorial Step 5), loaded straight from the pack JSON.
import alertmedia from '../../src/scim/schema/packs/alertmedia.json'
import alvao from '../../src/scim/schema/packs/alvao.json'
import mediusflow from '../../src/scim/schema/packs/mediusflow.json'
import h5mag from '../../src/scim/schema/packs/h5mag.json'
import atmos from '../../src/scim/schema/packs/atmos.json'
import type { AppPack, Dialect, Mapping } from './entra'

function pack(json: { name: string; mapping: unknown }): AppPack {
  return { name: json.name, mapping: json.mapping as Mapping }
}

/** All five apps, in tutorial order. */
export const APP_PACKS: readonly AppPack[] = [pack(alertmedia), pack(alvao), pack(mediusflow), pack(h5mag), pack(atmos)]

export const DIALECTS: readonly Dialect[] = ['default', 'aadOptscim062020']

export function appPack(name: string): AppPack {
  const p = APP_PACKS.find((a) => a.name === name)
  if (!p) throw new Error(`no pack ${name}`)
  return p
}
