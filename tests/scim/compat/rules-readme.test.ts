// The README's table of compatibility rules is the catalogue in src/scim/compat/rules.ts, row for row.
import { describe, expect, test } from 'bun:test'
import { COMPAT_RULES, COMPAT_RULE_NAMES } from '../../../src/scim/compat/rules'

const HEADER = '| Rule | The IdP sends | The server |'
const README = await Bun.file(new URL('../../../README.md', import.meta.url)).text()

describe('scim/compat/rules in the README', () => {
  test('the table lists every rule, in catalogue order, with its text', () => {
    const lines = README.split('\n')
    const head = lines.indexOf(HEADER)
    expect(head).toBeGreaterThan(-1)
    const rows: string[] = []
    for (const line of lines.slice(head + 2)) {
      if (!line.startsWith('|')) break
      rows.push(line)
    }
    const expected = COMPAT_RULE_NAMES.map((name) => {
      const { sends, does } = COMPAT_RULES[name]
      return `| \`${name}\` | ${sends} | ${does} |`
    })
    expect(rows).toEqual(expected)
  })
})
