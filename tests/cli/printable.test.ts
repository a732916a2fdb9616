// What commands print of directory text: control characters escaped, everything else as it is.
import { expect, test } from 'bun:test'
import { printable } from '../../src/cli/printable'

test('C0, DEL and C1 controls are written as \\uXXXX; other text, accents and emoji included, is kept', () => {
  expect(printable('ada\u001b[2J\u0007\u007f\u009b')).toBe('ada\\u001b[2J\\u0007\\u007f\\u009b')
  expect(printable('Zoë Ångström 👩‍💻 a\\b')).toBe('Zoë Ångström 👩‍💻 a\\b')
})
