export { embeddingsRoute, registerEmbeddingsRoute } from './embeddings-route'
