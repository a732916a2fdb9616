// RFC 7643 §2.2 "required": the one check, run on POST/PUT bodies and after every PATCH operation.
import { isObject, type Doc } from '../document'
import { ScimError } from '../errors'
import { isGroupMembers } from './resolve-key'
import type { CompiledAttribute, CompiledSchema, ResourceType } from './types'

/** One attribute the check looks at: required itself, or complex with required sub-attributes. */
interface Rule {
  attr: CompiledAttribute
  subs: CompiledAttribute[]
}

interface Plan {
  core: Rule[]
  extensions: { schema: CompiledSchema; required: boolean; rules: Rule[] }[]
}

// Schemas are fixed after start-up, so each resource type's plan is worked out once.
const plans = new WeakMap<ResourceType, Plan>()

function rulesOf(type: ResourceType, attrs: Iterable<CompiledAttribute>): Rule[] {
  const rules: Rule[] = []
  for (const attr of attrs) {
    // Server-set attributes and group members (kept in their own table) are not the client's to send.
    if (attr.mutability === 'readOnly' || isGroupMembers(type, attr)) continue
    const subs = [...attr.sub.values()].filter((s) => s.required && s.mutability !== 'readOnly')
    if (attr.required || subs.length > 0) rules.push({ attr, subs })
  }
  return rules
}

function planOf(type: ResourceType): Plan {
  let plan = plans.get(type)
  if (!plan) {
    plan = {
      core: rulesOf(type, type.core.attributes.values()),
      extensions: [...type.extensions.values()].map(({ schema, required }) => ({
        schema,
        required,
        rules: rulesOf(type, schema.attributes.values()),
      })),
    }
    plans.set(type, plan)
  }
  return plan
}

function missing(attr: CompiledAttribute): ScimError {
  return ScimError.invalidValue(`attribute '${attr.path}' is required`)
}

function check(holder: Doc, rules: readonly Rule[]): void {
  for (const { attr, subs } of rules) {
    const value = holder[attr.name]
    if (value === undefined) {
      if (attr.required) throw missing(attr)
      continue
    }
    // Required sub-attributes must be in every element the complex attribute has (RFC 7643 §2.3.8).
    for (const element of subs.length === 0 ? [] : Array.isArray(value) ? value : [value]) {
      if (!isObject(element)) continue
      for (const sub of subs) if (element[sub.name] === undefined) throw missing(sub)
    }
  }
}

/**
 * Fails with `invalidValue` naming the attribute when a required attribute, a required
 * sub-attribute of a complex value, or a required extension is missing from a stored document.
 * With `only` (core attribute names and extension URNs), just those are checked: what PATCH needs
 * after an operation that changed only them, the rest having passed before.
 */
export function checkRequired(type: ResourceType, doc: Doc, only?: ReadonlySet<string>): void {
  const plan = planOf(type)
  check(doc, only ? plan.core.filter((r) => only.has(r.attr.name)) : plan.core)
  for (const { schema, required, rules } of plan.extensions) {
    if (only && !only.has(schema.id)) continue
    const ext = doc[schema.id]
    if (required && !isObject(ext)) throw ScimError.invalidValue(`extension '${schema.id}' is required`)
    if (isObject(ext)) check(ext, rules)
  }
}
