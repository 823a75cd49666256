// Where a model's files live in the MODELS bucket, and the error a missing one gives.
import { EdgeclipError, type ModelSpec } from '@edgeclip/core'

/** R2 keys: `<model id>/<revision>/<file>`, so a revision bump never reads stale files. */
export const r2ModelKey = (spec: ModelSpec, file: string): string => `${spec.id}/${spec.revision}/${file}`

export const missingModelFile = (key: string): EdgeclipError =>
  new EdgeclipError(`Model file ${key} is missing from the MODELS bucket.`, {
    status: 503,
    code: 'model_unavailable',
    retryAfter: 30,
  })
