export { docsPage } from './docs-page'
