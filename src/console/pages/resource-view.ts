// A SCIM resource as a readable definition list, and the short name a list row or title shows.
import type { Doc } from '../../scim/document'
import { html, type Html } from '../html'

/** userName for users, displayName for groups, the id as a last resort. */
export function nameOf(doc: Doc): string {
  const name = doc.userName ?? doc.displayName ?? doc.id
  return typeof name === 'string' ? name : String(name)
}

function value(v: unknown): Html {
  if (Array.isArray(v)) return html`<ul>${v.map((item) => html`<li>${value(item)}</li>`)}</ul>`
  if (v !== null && typeof v === 'object') return readable(v as Doc)
  return html`${String(v)}`
}

/** Every attribute, nested ones as nested lists; `schemas` is left to the JSON view. */
export function readable(doc: Doc): Html {
  const entries = Object.entries(doc).filter(([k]) => k !== 'schemas')
  return html`<dl class="attrs">${entries.map(([k, v]) => html`<dt>${k}</dt><dd>${value(v)}</dd>`)}</dl>`
}
