// The tokenizer files of a Hugging Face BERT uncased model dir (tokenizer.json, tokenizer_config.json),
// written from a vocab.txt, so transformers.js's pipeline tokenizes as core's WordPieceTokenizer does.
import type { TokenizerSpec } from '@edgeclip/core'

const specialTokens = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'] as const

function vocabIds(vocabText: string): Record<string, number> {
  const lines = vocabText.split('\n')
  // A final newline does not add a token (HF's load_vocab).
  if (lines.at(-1) === '') lines.pop()
  return Object.fromEntries(lines.map((token, id) => [token, id]))
}

/** `tokenizer.json` as `BertTokenizerFast` saves it for an uncased WordPiece vocab. */
export function bertTokenizerJson(vocabText: string, spec: TokenizerSpec): object {
  const vocab = vocabIds(vocabText)
  const idOf = (token: string) => {
    const id = vocab[token]
    if (id === undefined) throw new RangeError(`vocab.txt has no ${token}`)
    return id
  }
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: specialTokens.map((content) => ({
      id: idOf(content),
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
      strip_accents: spec.stripAccents,
      lowercase: spec.lowercase,
    },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
      ],
      pair: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: '[SEP]', type_id: 1 } },
      ],
      special_tokens: {
        '[CLS]': { id: '[CLS]', ids: [idOf('[CLS]')], tokens: ['[CLS]'] },
        '[SEP]': { id: '[SEP]', ids: [idOf('[SEP]')], tokens: ['[SEP]'] },
      },
    },
    decoder: { type: 'WordPiece', prefix: spec.continuingSubwordPrefix, cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: spec.continuingSubwordPrefix,
      max_input_chars_per_word: spec.maxInputCharsPerWord,
      vocab,
    },
  }
}

/** `tokenizer_config.json`: the class and limits the pipeline's AutoTokenizer reads. */
export function bertTokenizerConfig(spec: TokenizerSpec, maxTokens: number): object {
  return {
    tokenizer_class: 'BertTokenizer',
    do_lower_case: spec.lowercase,
    strip_accents: spec.stripAccents,
    tokenize_chinese_chars: true,
    model_max_length: maxTokens,
    pad_token: '[PAD]',
    unk_token: '[UNK]',
    cls_token: '[CLS]',
    sep_token: '[SEP]',
    mask_token: '[MASK]',
  }
}
