// The tenants page and its one change: create a tenant with its packs, through the same function as `tenant add`.
import { Elysia } from 'elysia'
import { ScimError } from '../scim/errors'
import type { ServiceDeps } from '../service/context'
import { configOf } from '../tenants/config'
import { TenantError } from '../tenants/create'
import type { ConsoleTenants } from './console-store'
import { countOf, filtersOf, typeNamed } from './data'
import { guard, type GuardDeps } from './guard'
import { html } from './html'
import { tenantHref, type Viewer } from './layout'
import { type TenantRowView, type TenantsView, tenantsPage } from './pages/tenants'
import { htmlResponse, redirect } from './respond'

export interface TenantRouteDeps extends GuardDeps {
  tenants: ConsoleTenants
  /** After a tenant was added: the SCIM API serves it from the next request. */
  tenantsChanged: () => void | Promise<void>
}

export function tenantRoutes(deps: TenantRouteDeps) {
  const { apiBase, tenantsChanged } = deps
  const { page, change } = guard(deps)
  /**
   * A tenant whose schemas no longer load (stored by a newer build, say) throws its 503 on every
   * use: it is still listed, without what only its services know.
   */
  const unlessUnserved = <T>(read: () => T): T | undefined => {
    try {
      return read()
    } catch (err) {
      if (err instanceof ScimError) return undefined
      throw err
    }
  }
  // The dashboard's counts, through the services: kept totals, not a count(*) of each tenant per render.
  const count = (tenant: ServiceDeps, type: string) => {
    const t = typeNamed(tenant, type)
    return t ? countOf(tenant, filtersOf(tenant), t) : undefined
  }
  const render = async (v: Viewer, request: Request, extra: Partial<TenantsView> = {}, status = 200) => {
    const tenants: TenantRowView[] = []
    for (const row of await deps.tenants.rows()) {
      const served = unlessUnserved(() => deps.depsFor(row.name))
      tenants.push({
        name: row.name,
        users: served && (await count(served, 'User')),
        groups: served && (await count(served, 'Group')),
        packs: configOf(row).packs,
        created: row.created,
        tenantUrl: served && apiBase(row.name, request),
      })
    }
    return htmlResponse(tenantsPage(v, { tenants, ...extra }), status)
  }

  return new Elysia()
    .get(
      '/tenants',
      page((v, _deps, _req, query, request) => {
        const created = query.created ?? ''
        if (!v.tenants.includes(created)) return render(v, request)
        const notice = {
          text: html`Tenant ${created} created. <a href="${tenantHref(created, '/tokens')}">Issue its first token</a> on its tokens page.`,
          bad: false,
        }
        return render(v, request, { notice })
      })
    )
    .post(
      '/tenants/create',
      change(async (v, _deps, _req, form, request) => {
        const name = (form.get('name') ?? '').trim()
        // As `tenant add --schema-pack` reads its packs: trimmed, lower case, each once.
        const packs = [...new Set(form.getAll('pack').map((p) => p.trim().toLowerCase()))]
        try {
          await deps.tenants.add({ name, packs, schemas: [], settings: {} })
        } catch (err) {
          if (!(err instanceof TenantError)) throw err
          const notice = { text: `Not created: ${err.message}.`, bad: true }
          return render(v, request, { form: { name, packs }, notice }, 400)
        }
        await tenantsChanged()
        return redirect(tenantHref(v.tenant, '/tenants', { created: name }))
      }),
      { parse: 'none' }
    )
}
