// Turns schema failures into 400s that name the offending field the way OpenAI does (`input[3]`).
import { EdgeclipError } from '@edgeclip/core'
import type { z } from '@hono/zod-openapi'

export function paramOf(path: readonly PropertyKey[]): string {
  return path.reduce<string>((param, part) => {
    if (typeof part === 'number') return `${param}[${part}]`
    return param ? `${param}.${String(part)}` : String(part)
  }, '')
}

export function validationError(error: z.ZodError): EdgeclipError {
  const issue = error.issues[0]
  if (!issue) return new EdgeclipError('Invalid request body.', { status: 400, code: 'invalid_request' })
  const param = paramOf(issue.path)
  const message =
    issue.path[0] === 'input' && (issue.code === 'invalid_union' || issue.code === 'invalid_type')
      ? `${param} must be a string, or a list of strings, {text} and {image} objects.`
      : issue.path.length === 0
        ? 'The request body must be a JSON object.'
        : `${param}: ${issue.message}`
  return new EdgeclipError(message, { status: 400, code: 'invalid_request', param: param || null })
}
