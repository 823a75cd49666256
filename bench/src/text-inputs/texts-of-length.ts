// Input texts of an exact token count ([CLS] and [SEP] included) under the vocab in use, so every
// runtime in a comparison tokenizes and runs the same number of tokens.
import type { WordPieceTokenizer } from '@edgeclip/core'

/** Lower-case words without digits or punctuation: one WordPiece each when the vocab holds them whole. */
const PLAIN_WORD = /^[a-z]{2,12}$/
/** [CLS] and [SEP]. */
const SPECIAL_TOKENS_PER_TEXT = 2

function wholeWords(tokenizer: WordPieceTokenizer): string[] {
  const words: string[] = []
  for (let id = 0; id < tokenizer.vocabSize; id++) {
    const token = tokenizer.idToToken(id)
    if (token !== undefined && PLAIN_WORD.test(token) && tokenizer.tokenize(token).length === 1)
      words.push(token)
  }
  if (words.length === 0) throw new RangeError('the vocab holds no plain whole words to build texts from')
  return words
}

/**
 * One text per count that `tokenizer` encodes to exactly that many ids: `count - 2` whole-word
 * tokens picked by a seeded generator (the same seed gives the same texts). Throws when it cannot.
 */
export function textsOfLength(
  tokenizer: WordPieceTokenizer,
  counts: readonly number[],
  seed = 1,
): Map<number, string> {
  const words = wholeWords(tokenizer)
  const texts = new Map<number, string>()
  for (const count of counts) {
    if (!(Number.isInteger(count) && count > SPECIAL_TOKENS_PER_TEXT))
      throw new RangeError(`a text needs more than ${SPECIAL_TOKENS_PER_TEXT} tokens, got ${count}`)
    let state = (seed * 7919 + count) >>> 0
    const picked: string[] = []
    for (let index = 0; index < count - SPECIAL_TOKENS_PER_TEXT; index++) {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0
      picked.push(words[state % words.length] as string)
    }
    const text = picked.join(' ')
    const { ids } = tokenizer.encode(text)
    if (ids.length !== count) throw new Error(`"${text}" encodes to ${ids.length} ids, not ${count}`)
    texts.set(count, text)
  }
  return texts
}
