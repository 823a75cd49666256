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
  })
  .openapi('Model')

export const modelListSchema = z
  .object({ object: z.literal('list'), data: z.array(modelSchema) })
  .openapi('ModelList')

export const healthSchema = z
  .object({ status: z.enum(['ok', 'unavailable']), checks: z.record(z.string(), z.string()).optional() })
  .openapi('Health')
