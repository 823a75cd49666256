// Why fetching or reading a model directory failed; `code` lets the CLI and services branch on it.

export type ModelStoreErrorCode =
  | 'offline'
  | 'not_found'
  | 'http_error'
  | 'connection_failed'
  | 'checksum_mismatch'
  | 'size_mismatch'
  | 'unknown_variant'
  | 'missing_file'
  | 'revision_mismatch'

export class ModelStoreError extends Error {
  readonly code: ModelStoreErrorCode

  constructor(message: string, code: ModelStoreErrorCode, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'ModelStoreError'
    this.code = code
  }
}
