// Character classes of BERT's basic tokenizer (HF `BertNormalizer` + `BertPreTokenizer`).
// ASCII is answered from a table; other code points from Unicode property regexes, memoized.

export const CharClass = {
  /** Removed by clean_text: NUL, U+FFFD and categories Cc, Cf, Cn, Co, Cs (except \t \n \r). */
  Removed: 0,
  Whitespace: 1,
  Punctuation: 2,
  /** Split into its own word: the ranges of BERT's `_is_chinese_char`. */
  Chinese: 3,
  Other: 4,
} as const

export type CharClass = (typeof CharClass)[keyof typeof CharClass]

const removedPattern = /^[\p{Cc}\p{Cf}\p{Cn}\p{Co}\p{Cs}]$/u
// Zl/Zp (U+2028/9) are whitespace to HF's Rust tokenizer and to Python's str.split alike.
const whitespacePattern = /^[\p{Zs}\p{Zl}\p{Zp}]$/u
const punctuationPattern = /^\p{P}$/u

const asciiTable = new Uint8Array(128)
for (let code = 0; code < 128; code++) {
  let charClass: CharClass = CharClass.Other
  if (code === 9 || code === 10 || code === 13 || code === 32) charClass = CharClass.Whitespace
  else if (code < 32 || code === 127) charClass = CharClass.Removed
  else if (
    (code >= 33 && code <= 47) ||
    (code >= 58 && code <= 64) ||
    (code >= 91 && code <= 96) ||
    (code >= 123 && code <= 126)
  ) {
    charClass = CharClass.Punctuation
  }
  asciiTable[code] = charClass
}

export function isChineseChar(code: number): boolean {
  return (
    (code >= 0x4e00 && code <= 0x9fff) ||
    (code >= 0x3400 && code <= 0x4dbf) ||
    (code >= 0x20000 && code <= 0x2a6df) ||
    (code >= 0x2a700 && code <= 0x2b73f) ||
    (code >= 0x2b740 && code <= 0x2b81f) ||
    (code >= 0x2b820 && code <= 0x2ceaf) ||
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0x2f800 && code <= 0x2fa1f)
  )
}

const memo = new Map<number, CharClass>()
// Bounds the memo on adversarial input that walks the whole code space.
const memoLimit = 65_536

function classifyUnicode(code: number): CharClass {
  if (code === 0xfffd) return CharClass.Removed
  if (isChineseChar(code)) return CharClass.Chinese
  const char = String.fromCodePoint(code)
  if (removedPattern.test(char)) return CharClass.Removed
  if (whitespacePattern.test(char)) return CharClass.Whitespace
  if (punctuationPattern.test(char)) return CharClass.Punctuation
  return CharClass.Other
}

export function charClass(code: number): CharClass {
  if (code < 128) return asciiTable[code] as CharClass
  let known = memo.get(code)
  if (known === undefined) {
    known = classifyUnicode(code)
    if (memo.size < memoLimit) memo.set(code, known)
  }
  return known
}
