// The debug form of the batch endpoint: JSON in (texts as token ids or plain text, images as
// base64), JSON out (rows as numbers). Same batching as the binary form; meant for curl, not speed.
import {
  type BackendItem,
  type BackendResult,
  EdgeclipError,
  type ModelSpec,
  type WordPieceTokenizer,
} from '@edgeclip/core'

type JsonItem = { kind: 'text'; ids?: unknown; text?: unknown } | { kind: 'image'; base64?: unknown }

const invalid = (message: string, param: string) =>
  new EdgeclipError(message, { status: 400, code: 'invalid_request', param })

export function parseJsonBatch(
  body: unknown,
  spec: ModelSpec,
  tokenizer: WordPieceTokenizer,
): { model: string; revision?: string; items: BackendItem[] } {
  const request = body as { model?: unknown; revision?: unknown; items?: unknown }
  if (typeof request?.model !== 'string') throw invalid('model must be a string', 'model')
  if (request.revision !== undefined && typeof request.revision !== 'string') {
    throw invalid('revision must be a string', 'revision')
  }
  if (!Array.isArray(request.items)) throw invalid('items must be an array', 'items')
  const items = (request.items as JsonItem[]).map((item, index): BackendItem => {
    const param = `items[${index}]`
    if (item?.kind === 'image') {
      if (typeof item.base64 !== 'string') throw invalid('image items need base64', param)
      return { kind: 'image', bytes: new Uint8Array(Buffer.from(item.base64, 'base64')) }
    }
    if (item?.kind === 'text') {
      if (Array.isArray(item.ids) && item.ids.every(Number.isSafeInteger)) {
        return { kind: 'text', ids: item.ids as number[] }
      }
      if (typeof item.text === 'string') {
        const { ids } = tokenizer.encode(item.text, { maxLength: spec.maxTokens, truncate: true })
        return { kind: 'text', ids }
      }
      throw invalid('text items need ids (integers) or text', param)
    }
    throw invalid("each item needs kind 'text' or 'image'", param)
  })
  return {
    model: request.model,
    ...(typeof request.revision === 'string' ? { revision: request.revision } : {}),
    items,
  }
}

export function jsonBatchResponse(model: string, dimensions: number, result: BackendResult) {
  return {
    model,
    dimensions,
    items: result.items.map((item) =>
      item.ok
        ? { ok: true, embedding: Array.from(item.vector) }
        : { ok: false, error: { status: item.status, code: item.code, message: item.message } },
    ),
    timings: result.timings ?? {},
  }
}
