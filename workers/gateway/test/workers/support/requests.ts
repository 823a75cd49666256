// Request helpers for the gateway tests inside workerd.
import { type ApiKeyLimits, createApiKey, fixtureModelSpec } from '@edgeclip/core'
import { KvKeyStore } from '../../../src/adapters'
import { fixtureVocabText } from '../../../src/workers/fixture'
import { callWorker, env } from './worker'

const vocab = fixtureVocabText.split('\n')

/**
 * Ids of a text made only of whole lower-case vocab words, with [CLS] and [SEP]: what any
 * WordPiece tokenizer gives for it, so the tests need not share the gateway's tokenizer.
 */
export function wholeWordIds(text: string): number[] {
  const { clsId, sepId } = fixtureModelSpec.tokenizer
  const ids = text.split(' ').map((word) => {
    const id = vocab.indexOf(word)
    if (id < 0) throw new Error(`"${word}" is not a whole word of the fixture vocab`)
    return id
  })
  return [clsId, ...ids, sepId]
}

/** Stores a new key in the KEYS namespace the Worker reads, and returns the secret. */
export async function storeApiKey(limits: ApiKeyLimits = {}): Promise<string> {
  const { key, record } = await createApiKey('workers-test', limits)
  await new KvKeyStore(env.KEYS).create(record)
  return key
}

export interface EmbeddingsBody {
  data: { index: number; embedding: number[] }[]
  usage: { prompt_tokens: number; total_tokens: number }
}

export function postEmbeddings(body: unknown, key: string | undefined): Promise<Response> {
  return callWorker('/v1/embeddings', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify(body),
  })
}

export async function embeddingsOf(response: Response): Promise<Float32Array[]> {
  if (response.status !== 200) throw new Error(`status ${response.status}: ${await response.text()}`)
  const body = (await response.json()) as EmbeddingsBody
  return body.data.map((item) => Float32Array.from(item.embedding))
}
