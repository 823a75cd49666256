// Interim BERT WordPiece tokenizer (basic split + greedy longest-match), until core ships its
// `WordPieceTokenizer`; the Worker then builds that one from the same vocab instead.
import { EdgeclipError, type TokenizerSpec } from '@edgeclip/core'
import type { TextTokenizer } from '../../ports'

const PUNCTUATION = /[\p{P}\p{S}]/u

function basicTokens(text: string, spec: TokenizerSpec): string[] {
  let normalized = spec.lowercase ? text.toLowerCase() : text
  if (spec.stripAccents) normalized = normalized.normalize('NFD').replace(/\p{Mn}/gu, '')
  const tokens: string[] = []
  for (const word of normalized.split(/\s+/)) {
    let current = ''
    for (const character of word) {
      if (!PUNCTUATION.test(character)) {
        current += character
        continue
      }
      if (current) tokens.push(current)
      tokens.push(character)
      current = ''
    }
    if (current) tokens.push(current)
  }
  return tokens
}

export function createInterimTokenizer(vocabText: string, spec: TokenizerSpec): TextTokenizer {
  const ids = new Map(vocabText.split('\n').map((token, index) => [token.trimEnd(), index]))
  const wordPieces = (word: string): number[] => {
    if ([...word].length > spec.maxInputCharsPerWord) return [spec.unkId]
    const pieces: number[] = []
    let start = 0
    while (start < word.length) {
      let end = word.length
      let found: number | undefined
      while (end > start) {
        const piece = (start > 0 ? spec.continuingSubwordPrefix : '') + word.slice(start, end)
        found = ids.get(piece)
        if (found !== undefined) break
        end--
      }
      if (found === undefined) return [spec.unkId]
      pieces.push(found)
      start = end
    }
    return pieces
  }
  return {
    encode(text, options = {}) {
      const pieces = basicTokens(text, spec).flatMap(wordPieces)
      const tokenCount = pieces.length + 2
      const maxLength = options.maxLength ?? Number.POSITIVE_INFINITY
      if (tokenCount > maxLength && !options.truncate) {
        throw new EdgeclipError(`The text has ${tokenCount} tokens; the model takes at most ${maxLength}.`, {
          status: 400,
          code: 'context_length_exceeded',
        })
      }
      const kept = tokenCount > maxLength ? pieces.slice(0, maxLength - 2) : pieces
      return { ids: [spec.clsId, ...kept, spec.sepId], tokenCount, truncated: kept.length < pieces.length }
    },
  }
}
