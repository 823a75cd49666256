// Test-only: HF tokenizers.js configured as BertTokenizer, the reference our ids must equal.
import { Tokenizer } from '@huggingface/tokenizers'

const specialTokens = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]']

export function bertTokenizerJson(vocabText: string): object {
  const lines = vocabText.split('\n')
  if (lines[lines.length - 1] === '') lines.pop()
  const vocab: Record<string, number> = {}
  lines.forEach((token, id) => {
    vocab[token] = id
  })
  return {
    version: '1.0',
    added_tokens: specialTokens.map((content) => ({
      id: vocab[content],
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: {
      type: 'BertNormalizer',
      clean_text: true,
      handle_chinese_chars: true,
      strip_accents: true,
      lowercase: true,
    },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab,
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    post_processor: {
      type: 'TemplateProcessing',
      single: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
      ],
      pair: [],
      special_tokens: {
        '[CLS]': { id: '[CLS]', ids: [vocab['[CLS]']], tokens: ['[CLS]'] },
        '[SEP]': { id: '[SEP]', ids: [vocab['[SEP]']], tokens: ['[SEP]'] },
      },
    },
  }
}

export function referenceTokenizer(tokenizerJson: object): (text: string) => number[] {
  const tokenizer = new Tokenizer(tokenizerJson, { do_lower_case: true })
  return (text) => tokenizer.encode(text).ids
}
