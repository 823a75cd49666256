// A scripted fetch for unit tests: each call is recorded and answered by the test's handler.
import type { Fetch } from '../../src'

export interface RecordedCall {
  url: string
  method: string
  headers: Headers
  body: Record<string, unknown> | undefined
  signal: AbortSignal | undefined
}

export type Handler = (call: RecordedCall, index: number) => Promise<Response> | Response

export function fakeFetch(handler: Handler): { fetch: Fetch; calls: RecordedCall[] } {
  const calls: RecordedCall[] = []
  const fetch: Fetch = async (url, init) => {
    const call: RecordedCall = {
      url,
      method: init.method ?? 'GET',
      headers: new Headers(init.headers),
      body: typeof init.body === 'string' ? (JSON.parse(init.body) as Record<string, unknown>) : undefined,
      signal: init.signal ?? undefined,
    }
    calls.push(call)
    return handler(call, calls.length - 1)
  }
  return { fetch, calls }
}

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  })
}

/** Little-endian float32 bytes in base64, as the gateway's `base64` encoding sends them. */
export function base64OfFloats(values: number[]): string {
  return Buffer.from(new Float32Array(values).buffer).toString('base64')
}

type WireInput = { text?: string; image?: string }

/** Answers /v1/embeddings like a gateway: row i of each call is [length of item i's text, call index]. */
export function embeddingsAnswer(
  call: RecordedCall,
  index = 0,
  headers: Record<string, string> = {},
): Response {
  const input = (call.body?.input ?? []) as WireInput[]
  const data = input.map((item, position) => ({
    object: 'embedding',
    index: position,
    embedding: base64OfFloats([Number(item.text ?? position), index]),
  }))
  return json(
    {
      object: 'list',
      model: 'jina-clip-v1',
      data,
      usage: { prompt_tokens: input.length, total_tokens: input.length },
    },
    200,
    { 'x-request-id': `request-${index}`, ...headers },
  )
}

export function errorBody(message: string, code: string, param: string | null = null) {
  return { error: { message, type: 'invalid_request_error', code, param } }
}

/** Resolves when the signal aborts; a fetch that never answers on its own. */
export function untilAborted(signal: AbortSignal | undefined): Promise<never> {
  return new Promise((_, reject) => {
    signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')), { once: true })
  })
}
