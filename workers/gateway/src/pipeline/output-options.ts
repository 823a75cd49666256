// Request options that shape the output: model, encoding, width and normalization.
import { EdgeclipError, type EmbeddingType, type ModelSpec } from '@edgeclip/core'
import type { EmbeddingsRequest } from '../schemas'

export interface OutputOptions {
  type: EmbeddingType
  dimensions: number
  normalized: boolean
}

/** The served model answers to its id and to its Hugging Face repo name. */
export function checkModel(requested: string | undefined, spec: ModelSpec): string {
  if (requested === undefined || requested === spec.id || requested === spec.repo) return spec.id
  throw new EdgeclipError(`The model '${requested}' does not exist; this service serves '${spec.id}'.`, {
    status: 404,
    code: 'model_not_found',
    param: 'model',
  })
}

export function resolveOutputOptions(request: EmbeddingsRequest, spec: ModelSpec): OutputOptions {
  const { embedding_type: jinaType, encoding_format: openAiType } = request
  if (jinaType && openAiType && jinaType !== openAiType) {
    throw new EdgeclipError(
      `embedding_type '${jinaType}' and encoding_format '${openAiType}' disagree; send one of them.`,
      { status: 400, code: 'invalid_request', param: 'encoding_format' },
    )
  }
  const dimensions = request.dimensions ?? spec.dimensions
  if (dimensions !== spec.dimensions && !spec.matryoshkaDimensions.includes(dimensions)) {
    const supported = [spec.dimensions, ...spec.matryoshkaDimensions].join(', ')
    throw new EdgeclipError(`${spec.id} cannot output ${dimensions} dimensions; supported: ${supported}.`, {
      status: 400,
      code: 'unsupported_dimensions',
      param: 'dimensions',
    })
  }
  return { type: jinaType ?? openAiType ?? 'float', dimensions, normalized: request.normalized ?? true }
}
