// Swagger UI's files as text modules (wrangler.jsonc rules), for the gateway's /docs on Workers.
import css from 'swagger-ui-dist/swagger-ui.css'
import script from 'swagger-ui-dist/swagger-ui-bundle.js'

export const docsAssets = { script, css }
