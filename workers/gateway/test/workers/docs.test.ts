// /docs inside workerd: Swagger UI's script and stylesheet come from the Worker's own bundle (text
// modules, wrangler.jsonc rules), so the page renders with no CDN and no network.
import { describe, expect, it } from 'vitest'
import { callWorker } from './support/worker'

describe('Workers /docs', () => {
  it('serves the page and Swagger UI from the bundle', async () => {
    const page = await callWorker('/docs')
    expect(page.status).toBe(200)
    const html = await page.text()
    expect(html).toContain('/docs/swagger-ui-bundle.js')
    expect(html).not.toMatch(/(src|href)="https?:/)

    const script = await callWorker('/docs/swagger-ui-bundle.js')
    expect(script.status).toBe(200)
    expect(script.headers.get('content-type')).toContain('text/javascript')
    expect(await script.text()).toContain('SwaggerUIBundle')
    const css = await callWorker('/docs/swagger-ui.css')
    expect(css.status).toBe(200)
    expect(await css.text()).toContain('.swagger-ui')
  })

  it('sends a browser at / to /docs, and a wrong method on /docs is a 405', async () => {
    const root = await callWorker('/', { headers: { accept: 'text/html' }, redirect: 'manual' })
    expect(root.status).toBe(302)
    expect(root.headers.get('location')).toBe('/docs')
    const wrong = await callWorker('/docs', { method: 'POST' })
    expect(wrong.status).toBe(405)
    expect(wrong.headers.get('allow')).toBe('GET, HEAD')
  })
})
