// RFC 7644 §3.4.2.5 / §3.9: which attributes a view holds, decided once per resource type and request shape.
import { keyOf, parseAttributeList, type Pick, type Selection } from './attribute-list'
import { isObject, type Doc } from './document'
import { matchesElement } from './filter/evaluate'
import { REFERENCE_KEYS, RENDERED_KEYS, schemasOf } from './render'
import type { CompiledAttribute, ResourceType } from './schema/types'

/** What a view does with one attribute's value: keep it as it is, leave it out, or rebuild it (undefined: out). */
type Rule = 'whole' | 'drop' | ((value: unknown) => unknown)

/** The request's lists, as they apply to one scope (a whole extension named in `attributes` lifts the selection). */
interface Lists {
  attributes?: Selection
  excluded?: Selection
}

const isWhole = (p: Pick) => p.subs === undefined && p.filter === undefined

/**
 * Whether a sub-attribute stays, given the sub-attributes the request names (undefined: all) and
 * those it excludes. `always` beats the lists, `never` beats everything (RFC 7643 §7 `returned`).
 */
function keepsSub(
  sub: CompiledAttribute | undefined,
  lower: string,
  named: ReadonlySet<string> | undefined,
  excluded: ReadonlySet<string> | undefined
): boolean {
  const returned = sub?.returned ?? 'default'
  if (returned === 'never') return false
  if (returned === 'always') return true
  if (named) return named.has(lower)
  if (returned === 'request') return false
  return !excluded?.has(lower)
}

function union(picks: readonly Pick[]): ReadonlySet<string> | undefined {
  if (picks.some((p) => p.subs === undefined)) return undefined
  return new Set(picks.flatMap((p) => [...p.subs!]))
}

/** Keeps the sub-attributes keepsSub accepts; an element left with none is no element at all. */
function pickSubs(
  attr: CompiledAttribute | undefined,
  el: unknown,
  named: ReadonlySet<string> | undefined,
  excluded: ReadonlySet<string> | undefined
): unknown {
  if (!isObject(el)) return el
  const out: Doc = {}
  let any = false
  for (const key in el) {
    const lower = key.toLowerCase()
    if (!keepsSub(attr?.sub.get(lower), lower, named, excluded)) continue
    out[key] = el[key]
    any = true
  }
  return any ? out : undefined
}

/** Applies `element` to each element of a multi-valued value (or to a single value); nothing left: undefined. */
function eachElement(value: unknown, element: (el: unknown) => unknown): unknown {
  if (!Array.isArray(value)) return element(value)
  const out = []
  for (const el of value) {
    const v = element(el)
    if (v !== undefined) out.push(v)
  }
  return out.length > 0 ? out : undefined
}

const matching = (picks: readonly Pick[], el: unknown) =>
  picks.filter((p) => p.filter === undefined || matchesElement(p.filter, el))

/** The rule for an attribute the lists name through `picks` (kept) or `excludes` (taken out). */
function subRule(
  attr: CompiledAttribute | undefined,
  picks: readonly Pick[] | undefined,
  excludes: readonly Pick[] | undefined
): Rule {
  if (excludes?.some(isWhole)) return 'drop'
  const filtered = (picks ?? excludes)?.some((p) => p.filter !== undefined)
  if (filtered && picks) {
    return (value) =>
      eachElement(value, (el) => {
        const m = matching(picks, el)
        return m.length === 0 ? undefined : pickSubs(attr, el, union(m), undefined)
      })
  }
  if (filtered && excludes) {
    return (value) =>
      eachElement(value, (el) => {
        const m = matching(excludes, el)
        if (m.some((p) => p.subs === undefined)) return undefined
        return pickSubs(attr, el, undefined, m.length === 0 ? undefined : union(m))
      })
  }
  const named = picks && union(picks)
  const excluded = excludes && union(excludes)
  const declared = attr ? [...attr.sub.values()] : []
  const whole = !named && !excluded && declared.every((s) => keepsSub(s, s.name.toLowerCase(), undefined, undefined))
  if (whole) return 'whole'
  return (value) => eachElement(value, (el) => pickSubs(attr, el, named, excluded))
}

/** The one predicate: what the lists and `returned` make of attribute `attr` (undefined: undeclared) under `key`. */
function ruleFor(attr: CompiledAttribute | undefined, key: string, lists: Lists): Rule {
  const returned = attr?.returned ?? 'default'
  if (returned === 'never') return 'drop'
  if (returned === 'always') return subRule(attr, undefined, undefined)
  if (lists.attributes) {
    const picks = lists.attributes.get(key)
    return picks ? subRule(attr, picks, undefined) : 'drop'
  }
  if (returned === 'request') return 'drop'
  return subRule(attr, undefined, lists.excluded?.get(key))
}

/** Rules for attributes keyed by canonical and by lower-cased name (stored documents use the canonical one). */
function rulesOf(attrs: Iterable<CompiledAttribute>, urn: string | undefined, lists: Lists): Map<string, Rule> {
  const rules = new Map<string, Rule>()
  for (const a of attrs) {
    const rule = ruleFor(a, keyOf(urn, a.name), lists)
    rules.set(a.name, rule)
    rules.set(a.name.toLowerCase(), rule)
  }
  return rules
}

/** The plan for the attributes under one extension URN key. */
class ExtensionPlan {
  readonly dropped: boolean
  private readonly lists: Lists
  private readonly rules: Map<string, Rule>

  constructor(
    type: ResourceType,
    readonly urn: string,
    lists: Lists
  ) {
    const whole = urn.toLowerCase()
    this.dropped = lists.excluded?.get(whole)?.some(isWhole) === true
    this.lists = lists.attributes?.has(whole) ? { excluded: lists.excluded } : lists
    this.rules = rulesOf(type.extensions.get(whole)?.schema.attributes.values() ?? [], urn, this.lists)
  }

  rule(name: string): Rule {
    return (
      this.rules.get(name) ??
      this.rules.get(name.toLowerCase()) ??
      ruleFor(undefined, keyOf(this.urn, name), this.lists)
    )
  }

  keepsWhole(value: Doc): boolean {
    if (this.dropped) return false
    for (const name in value) if (this.rule(name) !== 'whole') return false
    return true
  }

  /** The extension object as the view holds it; undefined when nothing of it is left. */
  project(value: Doc): Doc | undefined {
    if (this.dropped) return undefined
    const out: Doc = {}
    let any = false
    for (const name in value) {
      const v = apply(this.rule(name), value[name])
      if (v === undefined) continue
      out[name] = v
      any = true
    }
    return any ? out : undefined
  }
}

function apply(rule: Rule, value: unknown): unknown {
  return rule === 'whole' ? value : rule === 'drop' ? undefined : rule(value)
}

const isUrnObject = (name: string, value: unknown): value is Doc => isObject(value) && /^urn:/i.test(name)

/** What one request shape (`attributes`, `excludedAttributes`) keeps of one resource type's views. */
export class ViewPlan {
  private readonly rules: Map<string, Rule>
  private readonly extensions = new Map<string, ExtensionPlan>()
  /** Whether every key the renderer adds around the stored data is kept as it is, or not rendered at all. */
  readonly keepsRendered: boolean

  constructor(
    private readonly type: ResourceType,
    private readonly lists: Lists
  ) {
    this.rules = rulesOf([...type.common.values(), ...type.core.attributes.values()], undefined, lists)
    for (const { schema } of type.extensions.values()) {
      const ext = new ExtensionPlan(type, schema.id, lists)
      this.extensions.set(schema.id, ext)
      this.extensions.set(schema.lowerId, ext)
    }
    // References left out are not rendered at all (their lookup is skipped), so they keep the rest whole.
    this.keepsRendered = RENDERED_KEYS.every(
      (k) => this.rule(k) === 'whole' || (REFERENCE_KEYS.has(k) && this.rule(k) === 'drop')
    )
  }

  private rule(name: string): Rule {
    return (
      this.rules.get(name) ?? this.rules.get(name.toLowerCase()) ?? ruleFor(undefined, name.toLowerCase(), this.lists)
    )
  }

  private extension(urn: string): ExtensionPlan {
    return (
      this.extensions.get(urn) ??
      this.extensions.get(urn.toLowerCase()) ??
      new ExtensionPlan(this.type, urn, this.lists)
    )
  }

  /** Whether the view can hold top-level attribute `name`: a costly lookup (members, groups) is skipped when not. */
  shows(name: string): boolean {
    return this.rule(name) !== 'drop'
  }

  /** Whether the view of `doc` (rendered, or stored data around which the kept rendered keys go) is `doc` itself. */
  keepsWhole(doc: Doc): boolean {
    for (const name in doc) {
      const rule = this.rules.get(name)
      if (rule === 'whole') continue
      if (rule !== undefined) return false
      const value = doc[name]
      if (isUrnObject(name, value) ? !this.extension(name).keepsWhole(value) : this.rule(name) !== 'whole') return false
    }
    return true
  }

  /** The view of a rendered resource; the resource itself when nothing is to go (the view Entra reads). */
  project(doc: Doc): Doc {
    return this.keepsWhole(doc) ? doc : this.projectCopy(doc)
  }

  /** The view of a rendered resource, always built afresh; `schemas` names only the extensions left. */
  projectCopy(doc: Doc): Doc {
    const out: Doc = {}
    let extensionGone = false
    for (const name in doc) {
      const value = doc[name]
      const v = isUrnObject(name, value) ? this.extension(name).project(value) : apply(this.rule(name), value)
      if (v !== undefined) out[name] = v
      else if (isUrnObject(name, value)) extensionGone = true
    }
    if (extensionGone && out.schemas !== undefined) out.schemas = schemasOf(this.type, out)
    return out
  }
}

const plans = new WeakMap<ResourceType, Map<string, ViewPlan>>()
const wholeViews = new WeakMap<ResourceType, ViewPlan>()
/** Request shapes are client text: the cache keeps a bounded number of short ones per type. */
const MAX_PLANS = 256
const MAX_KEY = 1024

/**
 * The plan for a request's `attributes`/`excludedAttributes`, built once per resource type and
 * request shape. Throws invalidValue for a value path that does not parse (attribute-list.ts).
 */
export function planOf(
  type: ResourceType,
  attributes: string | undefined,
  excludedAttributes: string | undefined
): ViewPlan {
  // The whole view, which nearly every read asks for, without making and hashing a key.
  if (attributes === undefined && excludedAttributes === undefined) {
    let whole = wholeViews.get(type)
    if (!whole) wholeViews.set(type, (whole = new ViewPlan(type, { attributes: undefined, excluded: undefined })))
    return whole
  }
  const key = `${attributes ?? ''}\u0000${excludedAttributes ?? ''}`
  let byShape = plans.get(type)
  const cached = byShape?.get(key)
  if (cached) return cached
  const plan = new ViewPlan(type, {
    attributes: parseAttributeList(type, attributes, 'attributes'),
    excluded: parseAttributeList(type, excludedAttributes, 'excludedAttributes'),
  })
  if (key.length > MAX_KEY) return plan
  if (!byShape) plans.set(type, (byShape = new Map()))
  if (byShape.size >= MAX_PLANS) byShape.clear()
  byShape.set(key, plan)
  return plan
}
