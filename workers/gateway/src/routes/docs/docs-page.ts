// GET /docs: Swagger UI (swagger-ui-dist, a maintained renderer) over /openapi.json. Its script and
// stylesheet are served by the gateway itself, from the host's own bundle or node_modules, never a
// CDN, so the page works offline on Node and on Workers. (A hand-written renderer showed request
// bodies as a bare {"$ref": …}.)
import type { OpenAPIHono } from '@hono/zod-openapi'
import type { AppEnv } from '../../env'

/** Swagger UI's files as text; each host loads them its own way (fs on Node, text modules on Workers). */
export interface DocsAssets {
  script: string
  css: string
}

export const docsPage = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>edgeclip API</title>
<link rel="stylesheet" href="/docs/swagger-ui.css">
</head>
<body>
<div id="docs"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script>
window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#docs', deepLinking: true })
</script>
</body>
</html>
`

/** Swagger UI's files change only with the package version; a day of browser caching is safe. */
const ASSET_CACHE_CONTROL = 'public, max-age=86400'

export function registerDocsRoutes(
  app: OpenAPIHono<AppEnv>,
  loadAssets: (() => DocsAssets | Promise<DocsAssets>) | undefined,
): void {
  app.get('/docs', (context) => context.html(docsPage))
  if (!loadAssets) return
  app.get('/docs/swagger-ui-bundle.js', async (context) => {
    context.header('content-type', 'text/javascript; charset=utf-8')
    context.header('cache-control', ASSET_CACHE_CONTROL)
    return context.body((await loadAssets()).script)
  })
  app.get('/docs/swagger-ui.css', async (context) => {
    context.header('content-type', 'text/css; charset=utf-8')
    context.header('cache-control', ASSET_CACHE_CONTROL)
    return context.body((await loadAssets()).css)
  })
}
