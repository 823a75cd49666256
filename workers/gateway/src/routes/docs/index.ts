export { type DocsAssets, docsPage, registerDocsRoutes } from './docs-page'
