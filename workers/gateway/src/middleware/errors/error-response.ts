// Every failure leaves as an OpenAI-style error body; nothing internal (stacks, causes) leaks.
import { EdgeclipError, type ErrorBody } from '@edgeclip/core'
import type { Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { AppEnv } from '../../env'

const codeByHttpStatus: Record<number, string> = {
  400: 'invalid_request',
  401: 'invalid_api_key',
  404: 'not_found',
  405: 'method_not_allowed',
  413: 'request_too_large',
  415: 'unsupported_media_type',
}

/** Hono's own HTTPExceptions (malformed JSON, body limit) as EdgeclipErrors, so they share one shape. */
export function toEdgeclipError(error: unknown): EdgeclipError | undefined {
  if (error instanceof EdgeclipError) return error
  if (error instanceof HTTPException && error.status < 500) {
    const message =
      error.status === 415 ? 'Send the body as JSON with content-type: application/json.' : error.message
    return new EdgeclipError(message || 'Bad request.', {
      status: error.status,
      code: codeByHttpStatus[error.status] ?? 'invalid_request',
    })
  }
  return undefined
}

/** nginx's status for a client that left first: nobody reads it, but logs and metrics count it apart. */
const CLIENT_CLOSED_REQUEST = 499

/** A body we cannot read because it is compressed says so, rather than "malformed JSON". */
function unreadableEncoding(error: unknown, context: Context<AppEnv>): EdgeclipError | undefined {
  const encoding = context.req.header('content-encoding')?.trim().toLowerCase()
  if (!(error instanceof HTTPException && error.status === 400) || !encoding || encoding === 'identity') {
    return undefined
  }
  // Echo only a sane token: the header is the caller's, up to the header limit long.
  const named = /^[\w.-]{1,32}$/.test(encoding) ? encoding : 'that encoding'
  return new EdgeclipError(`content-encoding: ${named} is not supported; send the JSON body uncompressed.`, {
    status: 415,
    code: 'unsupported_media_type',
  })
}

export function errorResponse(error: unknown, context: Context<AppEnv>): Response {
  const known = unreadableEncoding(error, context) ?? toEdgeclipError(error)
  const requestId = context.get('requestId')
  // Work for a caller who left was abandoned on purpose (the abort reason is thrown): no error to log.
  if (!known && context.req.raw.signal.aborted) {
    const body: ErrorBody = {
      error: {
        message: 'The client closed the request.',
        type: 'invalid_request_error',
        code: 'client_closed_request',
        param: null,
      },
    }
    return context.json(body, CLIENT_CLOSED_REQUEST as 400)
  }
  if (known) {
    const headers: Record<string, string> = {}
    if (known.retryAfter !== undefined)
      headers['retry-after'] = String(Math.max(1, Math.ceil(known.retryAfter)))
    if (known.status >= 500)
      console.warn(`request ${requestId}: ${known.status} ${known.code}: ${known.message}`)
    return context.json(known.toBody(), known.status as 400, headers)
  }
  console.error(`request ${requestId}: unexpected error`, error)
  const body: ErrorBody = {
    error: {
      message: `Internal error; quote request id ${requestId} when reporting it.`,
      type: 'api_error',
      code: 'internal_error',
      param: null,
    },
  }
  return context.json(body, 500)
}
