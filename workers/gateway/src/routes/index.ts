export { docsPage } from './docs'
export { embeddingsRoute, registerEmbeddingsRoute } from './embeddings'
export { healthzRoute, readyzRoute, registerHealthRoutes } from './health'
export { modelsRoute, registerModelsRoute } from './models'
