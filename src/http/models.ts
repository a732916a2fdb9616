// TypeBox envelopes for the query string and SearchRequest body (RFC 7644 §3.4.2, §3.4.3).
import { t } from 'elysia'
import type { Static, TSchema } from '@sinclair/typebox'

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

/** A member a client may leave out or send as null: RFC 7643 §2.5 makes null "unassigned". */
const Omittable = <T extends TSchema>(schema: T) => t.Optional(t.Union([schema, t.Null()]))

export const SearchRequest = t.Object(
  {
    schemas: Omittable(t.Array(t.String())),
    filter: Omittable(t.String()),
    sortBy: Omittable(t.String()),
    sortOrder: Omittable(t.String()),
    startIndex: Omittable(t.Number()),
    count: Omittable(t.Number()),
    cursor: Omittable(t.String()),
    attributes: Omittable(AttributeList),
    excludedAttributes: Omittable(AttributeList),
  },
  { additionalProperties: true }
)

type SearchBody = Static<typeof SearchRequest>
/** A SearchRequest as the list services take it: null members gone. */
export type SearchParams = { [K in keyof SearchBody]: Exclude<SearchBody[K], null> }

/**
 * A SearchRequest's members without those sent as null (`"filter": null` was a 400 "Expected
 * string"), and its projection as the list parameters' comma-separated text.
 */
export function searchOf(body: SearchBody): {
  params: SearchParams
  projection: { attributes?: string; excludedAttributes?: string }
} {
  const params = Object.fromEntries(Object.entries(body).filter(([, v]) => v !== null)) as SearchParams
  return {
    params,
    projection: { attributes: joinList(params.attributes), excludedAttributes: joinList(params.excludedAttributes) },
  }
}

export function joinList(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value
}
