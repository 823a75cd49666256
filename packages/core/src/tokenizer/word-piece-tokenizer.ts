// BERT uncased WordPiece, token for token what HF's BertTokenizer / tokenizers produce. Runs anywhere.
import { EdgeclipError } from '../errors'
import type { TokenizerSpec } from '../model-spec'
import { splitWords } from './basic-tokenizer'
import { parseTokenizerJson, parseVocabText, type Vocabulary } from './vocab'

export interface EncodeOptions {
  /** Most ids returned, [CLS] and [SEP] included; unlimited when absent. Callers pass `spec.maxTokens`. */
  maxLength?: number
  /** Cut to `maxLength` instead of throwing `context_length_exceeded`. */
  truncate?: boolean
}

export interface EncodedText {
  /** [CLS] … [SEP], after truncation. */
  ids: number[]
  /** Length before truncation, specials included. */
  tokenCount: number
  truncated: boolean
}

// Words repeat across requests; memoizing their pieces skips WordPiece's substring search.
const wordCacheLimit = 20_000

export class WordPieceTokenizer {
  readonly spec: TokenizerSpec
  readonly #ids: Map<string, number>
  readonly #tokens: string[]
  readonly #specialTokens: string[]
  readonly #longestToken: number
  readonly #wordCache = new Map<string, readonly number[]>()

  private constructor(vocabulary: Vocabulary, spec: TokenizerSpec) {
    this.spec = spec
    this.#ids = vocabulary.ids
    this.#tokens = vocabulary.tokens
    this.#specialTokens = vocabulary.specialTokens.filter((token) => token.length > 0)
    let longest = 0
    for (const token of vocabulary.ids.keys()) longest = Math.max(longest, token.length)
    this.#longestToken = longest
  }

  /** From vocab.txt text: one token per line, the line number is its id. */
  static fromVocab(vocabText: string, spec: TokenizerSpec): WordPieceTokenizer {
    return new WordPieceTokenizer(parseVocabText(vocabText, spec), spec)
  }

  /** From a Hugging Face tokenizer.json (text or parsed) whose model is WordPiece. */
  static fromTokenizerJson(json: string | object, spec: TokenizerSpec): WordPieceTokenizer {
    return new WordPieceTokenizer(parseTokenizerJson(json, spec), spec)
  }

  get vocabSize(): number {
    return this.#tokens.length
  }

  tokenToId(token: string): number | undefined {
    return this.#ids.get(token)
  }

  idToToken(id: number): string | undefined {
    return this.#tokens[id]
  }

  /** Word pieces without [CLS]/[SEP]; special tokens typed in the text are kept, as HF does. */
  tokenize(text: string): string[] {
    return this.#pieceIds(text).map((id) => this.#tokens[id] as string)
  }

  /**
   * Ids with [CLS] and [SEP]. Throws `EdgeclipError` 400 `context_length_exceeded` when the text
   * needs more than `maxLength` ids and `truncate` is not true.
   */
  encode(text: string, options: EncodeOptions = {}): EncodedText {
    const { maxLength, truncate = false } = options
    if (maxLength !== undefined && !(Number.isInteger(maxLength) && maxLength >= 2)) {
      throw new RangeError(`maxLength must be an integer of at least 2, got ${maxLength}`)
    }
    const pieces = this.#pieceIds(text)
    const tokenCount = pieces.length + 2
    let truncated = false
    if (maxLength !== undefined && tokenCount > maxLength) {
      if (!truncate) {
        throw new EdgeclipError(
          `Input has ${tokenCount} tokens, more than this model's limit of ${maxLength}. ` +
            'Shorten it, or pass truncate: true to cut it to the limit.',
          { status: 400, code: 'context_length_exceeded', param: 'input' },
        )
      }
      pieces.length = maxLength - 2
      truncated = true
    }
    return { ids: [this.spec.clsId, ...pieces, this.spec.sepId], tokenCount, truncated }
  }

  #pieceIds(text: string): number[] {
    if (typeof text !== 'string') {
      throw new EdgeclipError('Text input must be a string.', {
        status: 400,
        code: 'invalid_input',
        param: 'input',
      })
    }
    const output: number[] = []
    const onWord = (word: string) => this.#wordPieces(word, output)
    const options = { lowercase: this.spec.lowercase, stripAccents: this.spec.stripAccents }
    let position = 0
    for (;;) {
      const special = this.#nextSpecialToken(text, position)
      if (special === undefined) break
      splitWords(text.slice(position, special.index), options, onWord)
      output.push(this.#ids.get(special.token) as number)
      position = special.index + special.token.length
    }
    splitWords(position === 0 ? text : text.slice(position), options, onWord)
    return output
  }

  // Leftmost, then longest, like HF's added-token matcher.
  #nextSpecialToken(text: string, from: number): { index: number; token: string } | undefined {
    let best: { index: number; token: string } | undefined
    for (const token of this.#specialTokens) {
      const index = text.indexOf(token, from)
      if (index < 0) continue
      if (
        best === undefined ||
        index < best.index ||
        (index === best.index && token.length > best.token.length)
      ) {
        best = { index, token }
      }
    }
    return best
  }

  #wordPieces(word: string, output: number[]): void {
    const cached = this.#wordCache.get(word)
    if (cached !== undefined) {
      for (const id of cached) output.push(id)
      return
    }
    const pieces = this.#computeWordPieces(word)
    // Over-long words are [UNK] at once and would only bloat the cache.
    if (word.length <= this.spec.maxInputCharsPerWord) {
      if (this.#wordCache.size >= wordCacheLimit) this.#wordCache.clear()
      this.#wordCache.set(word, pieces)
    }
    for (const id of pieces) output.push(id)
  }

  #computeWordPieces(word: string): number[] {
    const { unkId, maxInputCharsPerWord, continuingSubwordPrefix } = this.spec
    if (word.length > maxInputCharsPerWord && codePointCount(word) > maxInputCharsPerWord) return [unkId]
    const whole = this.#ids.get(word)
    if (whole !== undefined) return [whole]
    const pieces: number[] = []
    let start = 0
    while (start < word.length) {
      let end = Math.min(word.length, start + this.#longestToken)
      if (splitsSurrogatePair(word, end)) end--
      let found: number | undefined
      while (end > start) {
        const piece = start > 0 ? continuingSubwordPrefix + word.slice(start, end) : word.slice(start, end)
        found = this.#ids.get(piece)
        if (found !== undefined) break
        end--
        if (splitsSurrogatePair(word, end)) end--
      }
      if (found === undefined) return [unkId]
      pieces.push(found)
      start = end
    }
    return pieces
  }
}

function codePointCount(text: string): number {
  let count = 0
  for (let index = 0; index < text.length; index++) {
    const unit = text.charCodeAt(index)
    if (unit < 0xdc00 || unit > 0xdfff || index === 0 || !isHighSurrogate(text.charCodeAt(index - 1))) count++
  }
  return count
}

const isHighSurrogate = (unit: number) => unit >= 0xd800 && unit <= 0xdbff

function splitsSurrogatePair(text: string, index: number): boolean {
  if (index <= 0 || index >= text.length) return false
  const unit = text.charCodeAt(index)
  return unit >= 0xdc00 && unit <= 0xdfff && isHighSurrogate(text.charCodeAt(index - 1))
}
