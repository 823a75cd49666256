// Wire schemas of POST /v1/embeddings, Jina- and OpenAI-compatible. They validate requests and
// generate /openapi.json, so the docs cannot drift from what the server accepts.
import { z } from '@hono/zod-openapi'

export const embeddingTypeSchema = z.enum(['float', 'base64', 'binary', 'ubinary'])

const imageSource = z.string().openapi({
  description: 'An http(s) URL, a data URI (data:image/png;base64,...) or bare base64 of the image bytes.',
  example: 'https://example.com/cat.jpg',
})

export const inputItemSchema = z
  .union([
    z.string().openapi({ description: 'A text.' }),
    z.object({ text: z.string() }).strict(),
    z.object({ image: imageSource }).strict(),
  ])
  .openapi('EmbeddingInputItem')

export const embeddingsRequestSchema = z
  .object({
    model: z
      .string()
      .optional()
      .openapi({ description: 'Defaults to the served model.', example: 'jina-clip-v1' }),
    input: z.union([z.string(), z.array(inputItemSchema)]).openapi({
      description:
        'One text, or a list of texts and {text} / {image} objects; one embedding per item, in order.',
      example: ['a photo of a cat', { image: 'https://example.com/cat.jpg' }],
    }),
    normalized: z
      .boolean()
      .optional()
      .openapi({ description: 'L2-normalize each embedding (default true).' }),
    embedding_type: embeddingTypeSchema
      .optional()
      .openapi({ description: 'Jina name of the output encoding (default float).' }),
    encoding_format: embeddingTypeSchema
      .optional()
      .openapi({ description: 'OpenAI name of the output encoding; same values as embedding_type.' }),
    truncate: z.boolean().optional().openapi({
      description: "Cut texts longer than the model's token limit instead of answering 400 (default false).",
    }),
    dimensions: z.number().int().positive().optional().openapi({
      description: 'Output width; only the model width unless the model supports Matryoshka truncation.',
    }),
    user: z.string().optional().openapi({ description: 'Accepted for OpenAI compatibility; unused.' }),
  })
  .openapi('EmbeddingsRequest')

export type EmbeddingsRequest = z.infer<typeof embeddingsRequestSchema>
export type InputItem = z.infer<typeof inputItemSchema>

export const embeddingsResponseSchema = z
  .object({
    object: z.literal('list'),
    model: z.string(),
    data: z.array(
      z.object({
        object: z.literal('embedding'),
        index: z.number().int(),
        embedding: z.union([z.array(z.number()), z.string()]).openapi({
          description:
            'float: numbers; base64: little-endian float32 bytes; binary/ubinary: packed sign bits.',
        }),
      }),
    ),
    usage: z.object({ prompt_tokens: z.number().int(), total_tokens: z.number().int() }).openapi({
      description:
        'Text tokens after truncation, [CLS] and [SEP] included; images count `image_tokens` each.',
    }),
  })
  .openapi('EmbeddingsResponse')

export type EmbeddingsResponse = z.infer<typeof embeddingsResponseSchema>
