// Turns schema failures into 400s that name the offending field the way OpenAI does (`input[3]`).
import { EdgeclipError } from '@edgeclip/core'
import type { z } from '@hono/zod-openapi'

type Issue = z.core.$ZodIssue

export function paramOf(path: readonly PropertyKey[]): string {
  return path.reduce<string>((param, part) => {
    if (typeof part === 'number') return `${param}[${part}]`
    return param ? `${param}.${String(part)}` : String(part)
  }, '')
}

/**
 * The full path of the deepest issue under `issue`. A union reports only its own position, with
 * one list of issues per option; the option that got furthest into the value (the list option of
 * `input`, for a list holding one bad item) is the one whose path says where the value is wrong.
 */
function deepestPath(issue: Issue): PropertyKey[] {
  const own = [...issue.path]
  if (issue.code !== 'invalid_union') return own
  let deepest: PropertyKey[] = []
  for (const optionIssues of issue.errors) {
    const first = optionIssues[0]
    if (!first) continue
    const path = deepestPath(first)
    if (path.length > deepest.length) deepest = path
  }
  return [...own, ...deepest]
}

export function validationError(error: z.ZodError): EdgeclipError {
  const issue = error.issues[0]
  if (!issue) return new EdgeclipError('Invalid request body.', { status: 400, code: 'invalid_request' })
  if (issue.path[0] === 'input' && (issue.code === 'invalid_union' || issue.code === 'invalid_type')) {
    // An item is named down to its index only: what is wrong inside it is said in the message.
    const [, index] = deepestPath(issue)
    if (typeof index === 'number') {
      const param = paramOf(['input', index])
      return new EdgeclipError(`${param} must be a string, a {text} object or an {image} object.`, {
        status: 400,
        code: 'invalid_request',
        param,
      })
    }
    return new EdgeclipError('input must be a string, or a list of strings, {text} and {image} objects.', {
      status: 400,
      code: 'invalid_request',
      param: 'input',
    })
  }
  const param = paramOf(issue.path)
  const message =
    issue.path.length === 0 ? 'The request body must be a JSON object.' : `${param}: ${issue.message}`
  return new EdgeclipError(message, { status: 400, code: 'invalid_request', param: param || null })
}
