// BERT's "basic" stage: BertNormalizer (clean text, isolate CJK, lowercase, strip accents) followed by
// BertPreTokenizer (split on whitespace and punctuation). Calls `onWord` once per word, in order.
import { CharClass, charClass } from './char-class'

export interface BasicTokenizerOptions {
  lowercase: boolean
  stripAccents: boolean
}

const nonSpacingMarks = /\p{Mn}/gu

export function splitWords(
  text: string,
  options: BasicTokenizerOptions,
  onWord: (word: string) => void,
): void {
  if (isAscii(text)) splitAscii(text, options.lowercase, onWord)
  else splitNormalized(normalizeUnicode(text, options), onWord)
}

// One pass for the common case: no Unicode normalization can change ASCII except lowercasing.
function splitAscii(text: string, lowercase: boolean, onWord: (word: string) => void): void {
  let word = ''
  let runStart = -1
  const emit = () => {
    if (word.length > 0) onWord(lowercase ? word.toLowerCase() : word)
    word = ''
  }
  for (let index = 0; index < text.length; index++) {
    const charType = charClass(text.charCodeAt(index))
    if (charType === CharClass.Other) {
      if (runStart < 0) runStart = index
      continue
    }
    if (runStart >= 0) {
      word += text.slice(runStart, index)
      runStart = -1
    }
    // A removed control character joins its neighbours, as clean_text runs before the split.
    if (charType === CharClass.Removed) continue
    emit()
    if (charType === CharClass.Punctuation) onWord(text[index] as string)
  }
  if (runStart >= 0) word += text.slice(runStart)
  emit()
}

function normalizeUnicode(text: string, options: BasicTokenizerOptions): string {
  const parts: string[] = []
  for (let index = 0; index < text.length; ) {
    const code = text.codePointAt(index) as number
    const width = code > 0xffff ? 2 : 1
    const charType = charClass(code)
    if (charType === CharClass.Whitespace) parts.push(' ')
    else if (charType === CharClass.Chinese) parts.push(' ', text.slice(index, index + width), ' ')
    else if (charType !== CharClass.Removed) parts.push(text.slice(index, index + width))
    index += width
  }
  let normalized = parts.join('')
  // HF's Rust tokenizers (what BertTokenizerFast and so the model's reference embeddings use) lowercase
  // char by char: a capital sigma is always σ. toLowerCase() alone would write a word-final ς.
  if (options.lowercase) normalized = normalized.replaceAll('Σ', 'σ').toLowerCase()
  if (options.stripAccents) normalized = normalized.normalize('NFD').replace(nonSpacingMarks, '')
  return normalized
}

function splitNormalized(text: string, onWord: (word: string) => void): void {
  let wordStart = -1
  for (let index = 0; index < text.length; ) {
    const code = text.codePointAt(index) as number
    const width = code > 0xffff ? 2 : 1
    const charType = charClass(code)
    if (charType === CharClass.Whitespace || charType === CharClass.Punctuation) {
      if (wordStart >= 0) onWord(text.slice(wordStart, index))
      wordStart = -1
      if (charType === CharClass.Punctuation) onWord(text.slice(index, index + width))
    } else if (wordStart < 0) {
      wordStart = index
    }
    index += width
  }
  if (wordStart >= 0) onWord(text.slice(wordStart))
}

function isAscii(text: string): boolean {
  for (let index = 0; index < text.length; index++) if (text.charCodeAt(index) > 0x7f) return false
  return true
}
