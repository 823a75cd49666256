// One error type for every 4xx/5xx the services answer, shaped like OpenAI's error body.

export type ErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'not_found_error'
  | 'rate_limit_error'
  | 'overloaded_error'
  | 'timeout_error'
  | 'api_error'

export interface ErrorBody {
  error: { message: string; type: ErrorType; code: string; param: string | null }
}

const typeByStatus: Record<number, ErrorType> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  405: 'invalid_request_error',
  413: 'invalid_request_error',
  415: 'invalid_request_error',
  422: 'invalid_request_error',
  429: 'rate_limit_error',
  503: 'overloaded_error',
  504: 'timeout_error',
}

export interface EdgeclipErrorOptions {
  status: number
  code: string
  param?: string | null
  /** Seconds the caller should wait before retrying (429/503). */
  retryAfter?: number
  cause?: unknown
}

export class EdgeclipError extends Error {
  readonly status: number
  readonly code: string
  readonly param: string | null
  readonly type: ErrorType
  readonly retryAfter: number | undefined

  constructor(message: string, options: EdgeclipErrorOptions) {
    super(message, { cause: options.cause })
    this.name = 'EdgeclipError'
    this.status = options.status
    this.code = options.code
    this.param = options.param ?? null
    this.type = typeByStatus[options.status] ?? 'api_error'
    this.retryAfter = options.retryAfter
  }

  toBody(): ErrorBody {
    return { error: { message: this.message, type: this.type, code: this.code, param: this.param } }
  }
}

export const isEdgeclipError = (value: unknown): value is EdgeclipError => value instanceof EdgeclipError
