// /docs on the Node host: Swagger UI's files from the swagger-ui-dist package, served by the gateway.
import { describe, expect, it } from 'vitest'
import { createGatewayApp } from '../app'
import { resolveGatewayConfig } from '../config'
import { fakeDeps } from '../pipeline/fake-deps.test-support'
import { nodeDocsAssets } from './docs-assets'

const app = createGatewayApp({
  getDeps: () => fakeDeps(),
  config: resolveGatewayConfig({}),
  docsAssets: nodeDocsAssets,
})

describe('Node /docs', () => {
  it('serves Swagger UI and its stylesheet itself, cacheable, with the page pointing at them', async () => {
    const html = await (await app.request('/docs')).text()
    expect(html).toContain('SwaggerUIBundle')
    expect(html).toContain("url: '/openapi.json'")
    const script = await app.request('/docs/swagger-ui-bundle.js')
    expect(script.status).toBe(200)
    expect(script.headers.get('content-type')).toContain('text/javascript')
    expect(script.headers.get('cache-control')).toContain('max-age')
    expect(await script.text()).toContain('SwaggerUIBundle')
    const css = await app.request('/docs/swagger-ui.css')
    expect(css.headers.get('content-type')).toContain('text/css')
    expect(await css.text()).toContain('.swagger-ui')
  })
})
