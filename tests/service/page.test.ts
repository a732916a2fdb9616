// A list page holds resources up to the response budget in UTF-8 bytes, exactly, however it counts them.
import { describe, expect, test } from 'bun:test'
import { limitsWith } from '../../src/scim/limits'
import { Page } from '../../src/service/page'

const limits = limitsWith({ maxResponseBytes: 1024 })

/** A resource text of `bytes` UTF-8 bytes made of `unit` (1, 2, 3 or 4 bytes each). */
function text(bytes: number, unit = 'a'): string {
  const size = Buffer.byteLength(unit)
  return unit.repeat(Math.floor(bytes / size)) + 'a'.repeat(bytes % size)
}

function fill(page: Page, resources: string[]): boolean[] {
  return resources.map((json) => page.add(json, limits))
}

describe('service/page', () => {
  test.each([
    ['ASCII', 'a'],
    ['two-byte', 'é'],
    ['three-byte', '€'],
    ['four-byte (surrogate pairs)', '😀'],
  ])('%s text: the budget is filled to the byte, and the next resource is refused', (_, unit) => {
    const page = new Page()
    expect(fill(page, [text(400, unit), text(400, unit), text(224, unit), text(1)])).toEqual([true, true, true, false])
    expect(page.spent).toBe(1024)
    expect(page.full).toBe(true)
    expect(page.resources.length).toBe(3)
  })

  test('a resource one byte over what is left is refused; a full page takes nothing more, even what would fit', () => {
    const page = new Page()
    expect(fill(page, [text(1000, '€'), text(25, 'é'), text(1)])).toEqual([true, false, false])
    expect(page.spent).toBe(1000)
  })

  test('the first resource always fits, however large; the second then does not', () => {
    const page = new Page()
    expect(fill(page, [text(5000, 'é'), text(1)])).toEqual([true, false])
    expect(page.spent).toBe(5000)
    expect(page.largest).toBe(5000)
  })

  test('spent and largest count in UTF-8 bytes, also for resources added while the bound fitted', () => {
    const page = new Page()
    expect(fill(page, [text(30, '😀'), text(90, 'é'), text(12)])).toEqual([true, true, true])
    expect(page.spent).toBe(132)
    expect(page.largest).toBe(90)
    // Counting in between changes nothing of what fits afterwards.
    expect(fill(page, [text(892, '€'), text(1)])).toEqual([true, false])
    expect(page.spent).toBe(1024)
  })
})
