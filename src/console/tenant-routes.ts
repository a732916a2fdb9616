// The tenants page and its one change: create a tenant with its packs, through the same function as `tenant add`.
import type { Database } from 'bun:sqlite'
import { Elysia } from 'elysia'
import { configOf } from '../tenants/config'
import { addTenant, TenantError } from '../tenants/create'
import { countTenant, readTenants } from '../tenants/rows'
import { guard, type GuardDeps } from './guard'
import { html } from './html'
import { tenantHref, type Viewer } from './layout'
import { type TenantsView, tenantsPage } from './pages/tenants'
import { htmlResponse, redirect } from './respond'

export interface TenantRouteDeps extends GuardDeps {
  db: Database
  /** After a tenant was added: the SCIM API serves it from the next request. */
  tenantsChanged: () => void
}

export function tenantRoutes(deps: TenantRouteDeps) {
  const { db, apiBase, tenantsChanged } = deps
  const { page, change } = guard(deps)
  const render = (v: Viewer, request: Request, extra: Partial<TenantsView> = {}, status = 200) => {
    const tenants = readTenants(db).map((row) => {
      const config = configOf(row)
      const counts = countTenant(db, row.name)
      return {
        name: row.name,
        users: counts.users,
        groups: counts.groups,
        packs: config.packs,
        created: row.created,
        tenantUrl: apiBase(row.name, request),
      }
    })
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
      change((v, _deps, _req, form, request) => {
        const name = (form.get('name') ?? '').trim()
        // As `tenant add --schema-pack` reads its packs: trimmed, lower case, each once.
        const packs = [...new Set(form.getAll('pack').map((p) => p.trim().toLowerCase()))]
        try {
          addTenant(db, { name, packs, schemas: [], settings: {} })
        } catch (err) {
          if (!(err instanceof TenantError)) throw err
          const notice = { text: `Not created: ${err.message}.`, bad: true }
          return render(v, request, { form: { name, packs }, notice }, 400)
        }
        tenantsChanged()
        return redirect(tenantHref(v.tenant, '/tenants', { created: name }))
      }),
      { parse: 'none' }
    )
}
