export { type PaddedBatch, padBatch } from './pad-batch'
export { type EncodedText, type EncodeOptions, WordPieceTokenizer } from './word-piece-tokenizer'
