export { errorBodySchema, healthSchema, modelListSchema, modelSchema } from './common'
export type { EmbeddingsRequest, EmbeddingsResponse, InputItem } from './embeddings'
export {
  embeddingsRequestSchema,
  embeddingsResponseSchema,
  embeddingTypeSchema,
  inputItemSchema,
} from './embeddings'
