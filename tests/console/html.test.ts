// The console's template helper escapes every interpolated value unless it is already markup.
import { describe, expect, test } from 'bun:test'
import { html, raw } from '../../src/console/html'

describe('console html', () => {
  test('text is escaped for content and attributes; Html, lists and empty values compose', () => {
    const name = `<b a="1">'x' & y</b>`
    expect(html`<p title="${name}">${name}</p>`.value).toBe(
      '<p title="&lt;b a=&quot;1&quot;&gt;&#39;x&#39; &amp; y&lt;/b&gt;">&lt;b a=&quot;1&quot;&gt;&#39;x&#39; &amp; y&lt;/b&gt;</p>'
    )
    expect(html`<ul>${['a', '<b>'].map((x) => html`<li>${x}</li>`)}</ul>`.value).toBe(
      '<ul><li>a</li><li>&lt;b&gt;</li></ul>'
    )
    expect(html`${raw('<hr>')}${undefined}${null}${false}${0}`.value).toBe('<hr>0')
  })
})
