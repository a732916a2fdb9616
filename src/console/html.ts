// A tagged template for HTML: every interpolated value is escaped unless it is already Html.

/** Markup that is safe to insert as it is: built by `html` or, for constants, by `raw`. */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value
  }
}

/** What a template accepts: text (escaped), numbers, Html, lists of them; false, null and undefined add nothing. */
export type Part = Html | string | number | boolean | null | undefined | readonly Part[]

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

/** Escapes text for element content and for quoted attribute values alike. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!)
}

function render(part: Part): string {
  if (part === null || part === undefined || part === false || part === true) return ''
  if (part instanceof Html) return part.value
  if (Array.isArray(part)) return part.map(render).join('')
  return escapeHtml(String(part))
}

export function html(strings: TemplateStringsArray, ...parts: Part[]): Html {
  let out = strings[0]!
  for (let i = 0; i < parts.length; i++) out += render(parts[i]) + strings[i + 1]!
  return new Html(out)
}

/** Markup written in this code base (never client text), such as the embedded style sheet. */
export function raw(markup: string): Html {
  return new Html(markup)
}
