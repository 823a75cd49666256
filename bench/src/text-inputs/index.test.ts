import { existsSync, readFileSync } from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { jinaClipV1, WordPieceTokenizer } from '@edgeclip/core'
import { buildFixtureVocab } from '@edgeclip/testkit'
import { afterAll, describe, expect, it } from 'vitest'
import { bertTokenizerConfig, bertTokenizerJson, textsOfLength } from '.'

const spec = jinaClipV1.tokenizer
const counts = [8, 16, 32, 64]
const sharedVocabPath = resolve(import.meta.dirname, '../../../../shared/data/tokenizer/vocab.txt')
const sharedMissing = existsSync(sharedVocabPath)
  ? false
  : `${sharedVocabPath} is absent (../shared beside the repo)`
if (sharedMissing) console.warn(`skipping the real-vocab case: ${sharedMissing}`)

const directories: string[] = []
afterAll(() => Promise.all(directories.map((dir) => rm(dir, { recursive: true, force: true }))))

// The tokenizer transformers.js's feature-extraction pipeline builds from a model dir.
async function pipelineTokenizer(vocabText: string) {
  const root = await mkdtemp(join(tmpdir(), 'bench-tokenizer-'))
  directories.push(root)
  await mkdir(join(root, 'model'))
  await writeFile(join(root, 'model', 'tokenizer.json'), JSON.stringify(bertTokenizerJson(vocabText, spec)))
  await writeFile(
    join(root, 'model', 'tokenizer_config.json'),
    JSON.stringify(bertTokenizerConfig(spec, jinaClipV1.maxTokens)),
  )
  const { AutoTokenizer, env } = await import('@huggingface/transformers')
  env.allowRemoteModels = false
  env.localModelPath = `${root}/`
  const tokenizer = await AutoTokenizer.from_pretrained('model')
  return (text: string): number[] => Array.from(tokenizer(text).input_ids.data as BigInt64Array, Number)
}

describe.each([
  ['the fixture vocab', () => buildFixtureVocab(), false as const],
  ['the bert-base-uncased vocab', () => readFileSync(sharedVocabPath, 'utf8'), sharedMissing],
])('textsOfLength with %s', (_name, vocab, skip) => {
  it.skipIf(skip)('gives texts of exactly 8/16/32/64 ids that the pipeline tokenizes alike', async () => {
    const vocabText = vocab()
    const ours = WordPieceTokenizer.fromVocab(vocabText, spec)
    const theirs = await pipelineTokenizer(vocabText)
    const texts = textsOfLength(ours, counts)
    expect([...texts.keys()]).toEqual(counts)
    for (const [count, text] of texts) {
      const ids = ours.encode(text).ids
      expect(ids).toHaveLength(count)
      expect(ids[0]).toBe(spec.clsId)
      expect(ids.at(-1)).toBe(spec.sepId)
      expect(ids).not.toContain(spec.unkId)
      expect(theirs(text)).toEqual(ids)
    }
    // Mixed case and accents go through both normalizers alike too.
    const shouting = `${texts.get(8)!.toUpperCase()} café`
    expect(theirs(shouting)).toEqual(ours.encode(shouting).ids)
  })
})

describe('textsOfLength', () => {
  const tokenizer = WordPieceTokenizer.fromVocab(buildFixtureVocab(), spec)

  it('gives the same texts for the same seed and others for another', () => {
    expect(textsOfLength(tokenizer, [16])).toEqual(textsOfLength(tokenizer, [16]))
    expect(textsOfLength(tokenizer, [16], 2).get(16)).not.toBe(textsOfLength(tokenizer, [16]).get(16))
  })

  it('refuses counts that leave no room between [CLS] and [SEP]', () => {
    expect(() => textsOfLength(tokenizer, [2])).toThrow(RangeError)
    expect(() => textsOfLength(tokenizer, [8.5])).toThrow(RangeError)
  })
})
