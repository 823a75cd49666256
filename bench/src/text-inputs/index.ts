export { bertTokenizerConfig, bertTokenizerJson } from './bert-tokenizer-files'
export { textsOfLength } from './texts-of-length'
