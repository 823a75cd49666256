// Swagger UI's files for the Node gateway's /docs, read from the swagger-ui-dist package once.
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import type { DocsAssets } from '../routes'

let loading: Promise<DocsAssets> | undefined

export function nodeDocsAssets(): Promise<DocsAssets> {
  loading ??= (async () => {
    const directory = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'))
    const [script, css] = await Promise.all([
      readFile(join(directory, 'swagger-ui-bundle.js'), 'utf8'),
      readFile(join(directory, 'swagger-ui.css'), 'utf8'),
    ])
    return { script, css }
  })()
  return loading
}
