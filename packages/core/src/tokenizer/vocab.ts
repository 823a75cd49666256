// Vocabularies: vocab.txt (one token per line, id = line number) or a tokenizer.json WordPiece model.
import type { TokenizerSpec } from '../model-spec'

export interface Vocabulary {
  ids: Map<string, number>
  /** Token text by id; holes where a vocab skips ids. */
  tokens: string[]
  /** Tokens matched verbatim in raw text before normalization (HF "added tokens" marked special). */
  specialTokens: string[]
}

export function parseVocabText(vocabText: string, spec: TokenizerSpec): Vocabulary {
  const lines = vocabText.split('\n')
  // Like HF's load_vocab: a final newline does not add an empty token.
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop()
  const ids = new Map<string, number>()
  const tokens: string[] = []
  lines.forEach((line, id) => {
    const token = line.endsWith('\r') ? line.slice(0, -1) : line
    ids.set(token, id)
    tokens[id] = token
  })
  const specialIds = [spec.padId, spec.unkId, spec.clsId, spec.sepId, spec.maskId]
  const specialTokens = specialIds.flatMap((id) => (tokens[id] === undefined ? [] : [tokens[id]]))
  return checked({ ids, tokens, specialTokens }, spec)
}

interface TokenizerJson {
  model?: {
    type?: string
    vocab?: Record<string, number>
    unk_token?: string
    continuing_subword_prefix?: string
    max_input_chars_per_word?: number
  }
  added_tokens?: { id: number; content: string; special?: boolean }[]
}

export function parseTokenizerJson(json: string | object, spec: TokenizerSpec): Vocabulary {
  const parsed = (typeof json === 'string' ? JSON.parse(json) : json) as TokenizerJson
  const model = parsed.model
  if (model?.type !== 'WordPiece' || typeof model.vocab !== 'object' || model.vocab === null) {
    throw new TypeError(`tokenizer.json: expected a WordPiece model, got ${model?.type ?? 'none'}`)
  }
  const prefix = model.continuing_subword_prefix
  if (prefix !== undefined && prefix !== spec.continuingSubwordPrefix) {
    throw new TypeError(`tokenizer.json: subword prefix ${prefix} differs from the spec's`)
  }
  const maxChars = model.max_input_chars_per_word
  if (maxChars !== undefined && maxChars !== spec.maxInputCharsPerWord) {
    throw new TypeError(`tokenizer.json: max_input_chars_per_word ${maxChars} differs from the spec's`)
  }
  const ids = new Map<string, number>()
  const tokens: string[] = []
  for (const [token, id] of Object.entries(model.vocab)) {
    ids.set(token, id)
    tokens[id] = token
  }
  for (const added of parsed.added_tokens ?? []) {
    ids.set(added.content, added.id)
    tokens[added.id] = added.content
  }
  const specialTokens = (parsed.added_tokens ?? [])
    .filter((added) => added.special)
    .map((added) => added.content)
  if (model.unk_token !== undefined && ids.get(model.unk_token) !== spec.unkId) {
    throw new TypeError(`tokenizer.json: ${model.unk_token} does not have the spec's id ${spec.unkId}`)
  }
  return checked({ ids, tokens, specialTokens }, spec)
}

function checked(vocabulary: Vocabulary, spec: TokenizerSpec): Vocabulary {
  if (vocabulary.tokens.length > spec.embeddingRows) {
    throw new RangeError(
      `vocabulary has ${vocabulary.tokens.length} entries, more than the model's ${spec.embeddingRows} embedding rows`,
    )
  }
  for (const [name, id] of [
    ['pad', spec.padId],
    ['unk', spec.unkId],
    ['cls', spec.clsId],
    ['sep', spec.sepId],
  ] as const) {
    if (vocabulary.tokens[id] === undefined)
      throw new RangeError(`vocabulary has no ${name} token at id ${id}`)
  }
  return vocabulary
}
