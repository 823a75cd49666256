// GET /docs: a self-contained page that renders /openapi.json. No CDN, so it works offline.
export const docsPage = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>edgeclip API</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;max-width:960px;margin:2rem auto;padding:0 1rem;color:#222}
h1{margin-bottom:0}code,pre{font-family:ui-monospace,monospace;font-size:13px}
pre{background:#f5f5f5;padding:.75rem;overflow:auto;border-radius:4px}
.op{border:1px solid #ddd;border-radius:6px;margin:1rem 0;padding:0 1rem 1rem}
.method{display:inline-block;min-width:4em;font-weight:bold;text-transform:uppercase}
.status{display:inline-block;min-width:3em;font-weight:bold}
</style>
</head>
<body>
<h1>edgeclip API</h1>
<p id="summary">Loading <a href="openapi.json">openapi.json</a>…</p>
<div id="operations"></div>
<h2>Schemas</h2>
<div id="schemas"></div>
<script>
const text = (tag, content, className) => {
  const element = document.createElement(tag)
  element.textContent = content
  if (className) element.className = className
  return element
}
const json = (value) => text('pre', JSON.stringify(value, null, 2))
fetch('openapi.json').then((response) => response.json()).then((spec) => {
  document.getElementById('summary').textContent = (spec.info.title || '') + ' ' + (spec.info.version || '') + ' — ' + (spec.info.description || '')
  const operations = document.getElementById('operations')
  for (const [path, item] of Object.entries(spec.paths || {})) {
    for (const [method, operation] of Object.entries(item)) {
      const box = document.createElement('section')
      box.className = 'op'
      const heading = document.createElement('h3')
      heading.append(text('span', method, 'method'), text('code', path))
      box.append(heading, text('p', operation.summary || ''))
      const body = operation.requestBody && operation.requestBody.content['application/json']
      if (body) box.append(text('h4', 'Request body'), json(body.schema))
      box.append(text('h4', 'Responses'))
      for (const [status, response] of Object.entries(operation.responses || {})) {
        const line = document.createElement('p')
        line.append(text('span', status, 'status'), document.createTextNode(response.description || ''))
        box.append(line)
      }
      operations.append(box)
    }
  }
  const schemas = document.getElementById('schemas')
  for (const [name, schema] of Object.entries((spec.components && spec.components.schemas) || {})) {
    schemas.append(text('h3', name), json(schema))
  }
}).catch((error) => { document.getElementById('summary').textContent = 'Could not load openapi.json: ' + error })
</script>
</body>
</html>
`
