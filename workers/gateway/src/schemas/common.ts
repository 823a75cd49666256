// Schemas shared by every route: the OpenAI-style error body and the model listing.
import { z } from '@hono/zod-openapi'

export const errorBodySchema = z
  .object({
    error: z.object({
      message: z.string(),
      type: z.string(),
      code: z.string(),
      param: z.string().nullable(),
    }),
  })
  .openapi('Error')

const towerIdentitySchema = z
  .object({
    weights: z.string().openapi({ description: 'sha256 of the tower files loaded, or the edge build id' }),
    numerics: z.string().openapi({ example: 'fp32/onnxruntime-node-cpu' }),
  })
  .openapi('TowerIdentity')

export const modelSchema = z
  .object({
    id: z.string(),
    object: z.literal('model'),
    owned_by: z.string(),
    revision: z.string(),
    dimensions: z.number().int(),
    matryoshka_dimensions: z.array(z.number().int()),
    max_tokens: z.number().int(),
    max_inputs: z.number().int(),
    modalities: z.array(z.enum(['text', 'image'])),
    towers: z
      .object({
        edge: towerIdentitySchema.nullable(),
        backend_text: towerIdentitySchema.nullable(),
        backend_image: towerIdentitySchema.nullable(),
      })
      .openapi({
        description:
          'What computes the vectors: every cache key names one of these. null: no such tower, or the backend has not said.',
      }),
  })
  .openapi('Model')

export const modelListSchema = z
  .object({ object: z.literal('list'), data: z.array(modelSchema) })
  .openapi('ModelList')

export const healthSchema = z
  .object({ status: z.enum(['ok', 'unavailable']), checks: z.record(z.string(), z.string()).optional() })
  .openapi('Health')
