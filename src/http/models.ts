// TypeBox envelopes for the query string and SearchRequest body (RFC 7644 §3.4.2, §3.4.3).
import { t } from 'elysia'

/** List query parameters; unknown ones (such as Entra's `aadOptscim062020` flag) are allowed. */
export const ListQuery = t.Object(
  {
    filter: t.Optional(t.String()),
    sortBy: t.Optional(t.String()),
    sortOrder: t.Optional(t.String()),
    startIndex: t.Optional(t.String()),
    count: t.Optional(t.String()),
    cursor: t.Optional(t.String()),
    attributes: t.Optional(t.String()),
    excludedAttributes: t.Optional(t.String()),
  },
  { additionalProperties: true }
)

export const ResourceQuery = t.Object(
  { attributes: t.Optional(t.String()), excludedAttributes: t.Optional(t.String()) },
  { additionalProperties: true }
)

const AttributeList = t.Union([t.Array(t.String()), t.String()])

export const SearchRequest = t.Object(
  {
    schemas: t.Optional(t.Array(t.String())),
    filter: t.Optional(t.String()),
    sortBy: t.Optional(t.String()),
    sortOrder: t.Optional(t.String()),
    startIndex: t.Optional(t.Number()),
    count: t.Optional(t.Number()),
    cursor: t.Optional(t.String()),
    attributes: t.Optional(AttributeList),
    excludedAttributes: t.Optional(AttributeList),
  },
  { additionalProperties: true }
)

export function joinList(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value
}
