// A response's embeddings as UTF-8 JSON. Turning 768 floats into JSON text was the largest single
// cost of a cache hit, so the encoded bytes of a cached vector are remembered per cache key and
// output options, and the response body is copied together from them: no JSON.stringify, and no
// long string for the server to flatten and encode again on every write.
import type { EmbeddingCache } from '@edgeclip/core'
import { LRUCache } from 'lru-cache'
import type { OutputOptions } from './output-options'

/** Budget per vector cache: a float fragment of 768 dimensions is ~15 KB, base64 ~4 KB. */
export const FRAGMENT_CACHE_BYTES = 16 * 1024 * 1024

type Fragments = LRUCache<string, Uint8Array>

/**
 * Scoped by the vector cache object, so a fragment is never served where that cache would not
 * serve its vector (tests and hosts with separate caches keep separate fragments). The pipeline
 * reads a fragment only after the cache itself answered the key, never for a freshly computed row.
 */
const scopes = new WeakMap<EmbeddingCache, Fragments>()

export function fragmentsFor(cache: EmbeddingCache): Fragments {
  let fragments = scopes.get(cache)
  if (!fragments) {
    fragments = new LRUCache<string, Uint8Array>({
      maxSize: FRAGMENT_CACHE_BYTES,
      sizeCalculation: (bytes, key) => bytes.byteLength + key.length,
    })
    scopes.set(cache, fragments)
  }
  return fragments
}

export const fragmentKey = (cacheKey: string, output: OutputOptions): string =>
  `${cacheKey}|${output.type}|${output.dimensions}|${output.normalized ? 'n' : 'r'}`

const utf8 = new TextEncoder()

/** One embedding's JSON value (an array of numbers, or a base64 string) as UTF-8. */
export const encodeFragment = (value: unknown): Uint8Array => utf8.encode(JSON.stringify(value))

export interface ResponseParts {
  model: string
  /** One JSON value per input, in input order. */
  embeddings: readonly Uint8Array[]
  promptTokens: number
}

/** Byte for byte what JSON.stringify gives for the same EmbeddingsResponse object. */
export function renderEmbeddingsJson({
  model,
  embeddings,
  promptTokens,
}: ResponseParts): Uint8Array<ArrayBuffer> {
  const parts: Uint8Array[] = [utf8.encode(`{"object":"list","model":${JSON.stringify(model)},"data":[`)]
  embeddings.forEach((embedding, index) => {
    parts.push(utf8.encode(`${index > 0 ? ',' : ''}{"object":"embedding","index":${index},"embedding":`))
    parts.push(embedding, CLOSE_ITEM)
  })
  parts.push(utf8.encode(`],"usage":{"prompt_tokens":${promptTokens},"total_tokens":${promptTokens}}}`))
  const body = new Uint8Array(parts.reduce((sum, part) => sum + part.byteLength, 0))
  let offset = 0
  for (const part of parts) {
    body.set(part, offset)
    offset += part.byteLength
  }
  return body
}

const CLOSE_ITEM = utf8.encode('}')
