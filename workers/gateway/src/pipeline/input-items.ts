// Turns the request's `input` into one item per embedding, checking count limits first.
import { EdgeclipError } from '@edgeclip/core'
import type { InputItem } from '../schemas'

export type EmbedItem = { kind: 'text'; text: string } | { kind: 'image'; source: string }

/** `input[3]` for list inputs, `input` for a lone string, as OpenAI names params. */
export const inputParam = (index: number, single: boolean): string => (single ? 'input' : `input[${index}]`)

export function toEmbedItems(input: string | readonly InputItem[], maxInputs: number): EmbedItem[] {
  if (typeof input === 'string') return [{ kind: 'text', text: input }]
  if (input.length === 0) {
    throw new EdgeclipError('input must hold at least one text or image.', {
      status: 400,
      code: 'empty_input',
      param: 'input',
    })
  }
  if (input.length > maxInputs) {
    throw new EdgeclipError(
      `input holds ${input.length} items; at most ${maxInputs} are allowed per request.`,
      {
        status: 413,
        code: 'too_many_inputs',
        param: 'input',
      },
    )
  }
  return input.map((item): EmbedItem => {
    if (typeof item === 'string') return { kind: 'text', text: item }
    if ('text' in item) return { kind: 'text', text: item.text }
    return { kind: 'image', source: item.image }
  })
}

/** Rewrites an item's error so the caller knows which input failed. */
export function atInput(error: unknown, index: number, single: boolean): unknown {
  if (!(error instanceof EdgeclipError)) return error
  const param = inputParam(index, single)
  return new EdgeclipError(`${param}: ${error.message}`, {
    status: error.status,
    code: error.code,
    param,
    ...(error.retryAfter === undefined ? {} : { retryAfter: error.retryAfter }),
    cause: error,
  })
}
