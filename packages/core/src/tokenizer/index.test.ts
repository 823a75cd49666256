import { existsSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { EdgeclipError } from '../errors'
import { jinaClipV1, type TokenizerSpec } from '../model-spec'
import { padBatch, WordPieceTokenizer } from './index'
import { bertTokenizerJson, referenceTokenizer } from './reference-tokenizer.test-helper'

const spec = jinaClipV1.tokenizer
const vocabPath = resolve(import.meta.dirname, '../../../../../shared/data/tokenizer/vocab.txt')
const hasSharedVocab = existsSync(vocabPath)
if (!hasSharedVocab) console.warn(`skipping bert-base-uncased parity tests: ${vocabPath} is absent`)

// A vocab small enough to reason about by hand: ids are line numbers.
const tinyTokens = [
  '[PAD]',
  '[UNK]',
  '[CLS]',
  '[SEP]',
  '[MASK]',
  'un',
  '##aff',
  '##able',
  'a',
  'b',
  '.',
  'cafe',
  '中',
  '##a',
]
const tinySpec: TokenizerSpec = {
  ...spec,
  vocabSize: tinyTokens.length,
  embeddingRows: 64,
  padId: 0,
  unkId: 1,
  clsId: 2,
  sepId: 3,
  maskId: 4,
}
const tiny = WordPieceTokenizer.fromVocab(`${tinyTokens.join('\n')}\n`, tinySpec)

describe('WordPieceTokenizer on a hand-made vocab', () => {
  it('splits greedily into ## pieces and gives [UNK] for a word with no match', () => {
    expect(tiny.tokenize('unaffable')).toEqual(['un', '##aff', '##able'])
    expect(tiny.tokenize('unaffablex a')).toEqual(['[UNK]', 'a'])
    expect(tiny.encode('Café. 中b').ids).toEqual([2, 11, 10, 12, 9, 3])
  })

  it('encodes the empty string and whitespace as [CLS] [SEP]', () => {
    expect(tiny.encode('')).toEqual({ ids: [2, 3], tokenCount: 2, truncated: false })
    expect(tiny.encode(' \t\n\u00a0\u3000').ids).toEqual([2, 3])
  })

  it('gives one [UNK] for a word longer than maxInputCharsPerWord', () => {
    expect(tiny.tokenize('a'.repeat(spec.maxInputCharsPerWord))).not.toContain('[UNK]')
    expect(tiny.tokenize('a'.repeat(spec.maxInputCharsPerWord + 1))).toEqual(['[UNK]'])
  })

  it('removes unassigned code points and isolates supplementary-plane CJK, as HF (Rust and Python) do', () => {
    expect(tiny.tokenize('a\u0378 \ue000b')).toEqual(['a', 'b'])
    expect(tiny.tokenize('\u{20000}\u{20001}')).toEqual(['[UNK]', '[UNK]'])
  })

  it('throws context_length_exceeded with the counts, or truncates when asked', () => {
    const text = 'a b a b a'
    let thrown: unknown
    try {
      tiny.encode(text, { maxLength: 5 })
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(EdgeclipError)
    expect(thrown).toMatchObject({ status: 400, code: 'context_length_exceeded', param: 'input' })
    expect((thrown as Error).message).toMatch(/7 tokens.*limit of 5/)
    expect(tiny.encode(text, { maxLength: 5, truncate: true })).toEqual({
      ids: [2, 8, 9, 8, 3],
      tokenCount: 7,
      truncated: true,
    })
    expect(tiny.encode(text, { maxLength: 7 })).toMatchObject({ tokenCount: 7, truncated: false })
  })

  it('answers a non-string input with a 400, not a crash', () => {
    expect(() => tiny.encode(42 as unknown as string)).toThrow(EdgeclipError)
  })

  it('rejects a vocab that overflows the embedding table', () => {
    expect(() =>
      WordPieceTokenizer.fromVocab(tinyTokens.join('\n'), { ...tinySpec, embeddingRows: 4 }),
    ).toThrow(/embedding rows/)
  })
})

describe('padBatch', () => {
  it('right-pads to the longest sequence as int64', () => {
    const padded = padBatch(
      [
        [101, 7, 102],
        [101, 102],
      ],
      0,
    )
    expect(padded.batch).toBe(2)
    expect(padded.length).toBe(3)
    expect([...padded.data]).toEqual([101n, 7n, 102n, 101n, 102n, 0n])
    expect([...padBatch([[1], [1, 2]], 9).data]).toEqual([1n, 9n, 1n, 2n])
    expect(padBatch([], 0)).toMatchObject({ batch: 0, length: 0 })
  })
})

// Seeded, so a failure reproduces.
function mulberry32(seed: number): () => number {
  let state = seed
  return () => {
    state = (state + 0x6d2b79f5) | 0
    let value = Math.imul(state ^ (state >>> 15), 1 | state)
    value = (value + Math.imul(value ^ (value >>> 7), 61 | value)) ^ value
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296
  }
}

// Character classes the tokenizer treats differently. Unassigned code points and CJK outside the BMP
// are left out: tokenizers.js keeps the former and misses the latter, unlike HF's Rust and Python.
const pools = [
  'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789',
  '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~',
  ' \t\n\r\u00a0\u2003\u3000\u2028',
  'éèñÅüöçßøæœÉÑÖ\u0301\u0308',
  '中文字符日本語漢한국어ひらがなカタカナ',
  '😀👍🏽🇫🇷€©™°±§¶•',
  '\u200b\u200d\ufeff\u0001\u007f\u0085\ufffd\u0000',
  'привет мир γειά σου مرحبا नमस्ते',
  '“”‘’«»…—–¿¡·',
  'ＡＢＣｆｕｌｌﬁﬂ',
]
const words = [
  'unaffable',
  'electroencephalography',
  '[SEP]',
  '[CLS]',
  '[MASK]',
  '[unk]',
  'Hello',
  'naïve',
  'café',
]

function randomText(random: () => number): string {
  let text = ''
  const chunks = 1 + Math.floor(random() * 10)
  for (let chunk = 0; chunk < chunks; chunk++) {
    if (random() < 0.25) {
      text += words[Math.floor(random() * words.length)]
      continue
    }
    const pool = [...(pools[Math.floor(random() * pools.length)] as string)]
    const length = 1 + Math.floor(random() * 8)
    for (let index = 0; index < length; index++) text += pool[Math.floor(random() * pool.length)]
  }
  return text
}

// vitest still runs a skipped describe's body to collect its tests, so nothing here may need the file.
describe.skipIf(!hasSharedVocab)('WordPieceTokenizer with bert-base-uncased vocab.txt', () => {
  let tokenizer: WordPieceTokenizer
  let tokenizerJson: ReturnType<typeof bertTokenizerJson>
  let reference: ReturnType<typeof referenceTokenizer>
  beforeAll(() => {
    const vocabText = readFileSync(vocabPath, 'utf8')
    tokenizer = WordPieceTokenizer.fromVocab(vocabText, spec)
    tokenizerJson = bertTokenizerJson(vocabText)
    reference = referenceTokenizer(tokenizerJson)
  })

  it('gives known bert-base-uncased ids', () => {
    const expected: [string, number[]][] = [
      ['hello world', [101, 7592, 2088, 102]],
      ['Hello, World!', [101, 7592, 1010, 2088, 999, 102]],
      ['café', [101, 7668, 102]],
      ['naïve Ångström', [101, 15743, 17076, 15687, 102]],
      ['unaffable', [101, 14477, 20961, 3468, 102]],
      ['electroencephalography', [101, 16175, 10127, 21890, 21197, 26228, 102]],
      ['日本語text', [101, 1864, 1876, 1950, 3793, 102]],
      ['The quick brown fox.', [101, 1996, 4248, 2829, 4419, 1012, 102]],
      ['a [SEP] b', [101, 1037, 102, 1038, 102]],
      ['', [101, 102]],
    ]
    for (const [text, ids] of expected) expect(tokenizer.encode(text).ids, text).toEqual(ids)
  })

  it('equals the reference BERT tokenizer on hand-picked cases', () => {
    const cases = [
      'café naïve Ångström résumé',
      '中文字符 mixed 日本語text 한국어',
      'wait... what?!?! (yes) [no] {maybe} --- ***',
      'emoji 😀👍🏽 and flags 🇫🇷',
      'unaffable electroencephalography antidisestablishmentarianism',
      'unknown ☃ ⌘ \u{1f9ff}',
      '  lots   of\t\ttabs\n\nand\r\nnewlines\u00a0nbsp\u3000ideographic ',
      'control\u0001chars\u007fhere\u0000and\ufffdreplacement',
      'zero\u200bwidth\u200djoiner\ufeffbom',
      'x'.repeat(101),
      `${'y'.repeat(100)} ok`,
      'FULLWIDTH ＡＢＣ ligature ﬁ',
      'e\u0301 precomposed é',
      '[CLS][SEP][MASK][PAD][UNK] [cls]',
      '',
    ]
    for (const text of cases)
      expect(tokenizer.encode(text).ids, JSON.stringify(text)).toEqual(reference(text))
  })

  it('lowercases a capital sigma to σ even at the end of a word, as HF tokenizers (Rust) does', () => {
    // Python's BertTokenizer and tokenizers.js write a final ς here; the fast tokenizer, used for the
    // model's reference embeddings, does not.
    expect(tokenizer.tokenize('ΟΔΟΣ Σ')).toEqual(tokenizer.tokenize('οδοσ σ'))
    expect(tokenizer.tokenize('ς')).toEqual(['ς'])
  })

  it('equals the reference BERT tokenizer on 400 seeded random strings', () => {
    const random = mulberry32(20_261_128)
    for (let round = 0; round < 400; round++) {
      const text = randomText(random)
      expect(tokenizer.encode(text).ids, JSON.stringify(text)).toEqual(reference(text))
    }
  })

  it('loads the same tokenizer from tokenizer.json', () => {
    const fromJson = WordPieceTokenizer.fromTokenizerJson(JSON.stringify(tokenizerJson), spec)
    const fromObject = WordPieceTokenizer.fromTokenizerJson(tokenizerJson, spec)
    for (const text of ['hello world', 'naïve [SEP] 中文 unaffable!']) {
      expect(fromJson.encode(text).ids).toEqual(tokenizer.encode(text).ids)
      expect(fromObject.encode(text).ids).toEqual(tokenizer.encode(text).ids)
    }
    expect(() => WordPieceTokenizer.fromTokenizerJson({ model: { type: 'BPE', vocab: {} } }, spec)).toThrow(
      /WordPiece/,
    )
  })
})
