// The shipped split edge tower for the suites that measure it: the synthetic JinaBERT's 3-part int8
// artifact in workerd behind the gateway, and timed calls of distinct texts (every call a cache miss).
import { join } from 'node:path'
import { jinaClipV1, WordPieceTokenizer } from '@edgeclip/core'
import { benchVocab, syntheticEdgeArtifact } from '../models'
import type { SuiteContext } from '../suite'
import { textsOfLength } from '../text-inputs'
import { type SplitEdgeHost, startSplitEdgeHost } from '../workerd/split-edge-host'

/** As wrangler.edge-part.jsonc deploys it (three part environments). */
export const SPLIT_PARTS = 3

export interface BenchSplitTower {
  host: SplitEdgeHost
  tokenizer: WordPieceTokenizer
  fp32Path: string
  edgeDir: string
  layers: number
}

/** `name`: the suite's, so two suites never share (and rebuild) one bundle folder. */
export async function startBenchSplitTower(
  context: SuiteContext,
  name: string,
  options: { layers?: number } = {},
): Promise<BenchSplitTower> {
  const { edgeDir, fp32Path, layers } = await syntheticEdgeArtifact(context, SPLIT_PARTS, options)
  const vocab = await benchVocab()
  context.log(`starting the gateway and ${SPLIT_PARTS} part Workers in workerd (wrangler bundles)`)
  const host = await startSplitEdgeHost({
    edgeDir,
    vocabText: vocab.text,
    workDir: join(context.workDir, 'split-tower', name),
  })
  const tokenizer = WordPieceTokenizer.fromVocab(vocab.text, jinaClipV1.tokenizer)
  return { host, tokenizer, fp32Path, edgeDir, layers }
}

export interface BatchShape {
  tokens: number
  batch: number
}

export const shapeKey = (shape: BatchShape): string => `${shape.tokens}x${shape.batch}`

/**
 * Times `rounds` POST /v1/embeddings per shape, after `warmup` untimed ones, each with texts no
 * earlier call sent (`seeds` hands out fresh ones), so every call misses the cache and runs the
 * chain. Throws when the gateway served a call any other way.
 */
export async function timeSplitShapes(
  tower: BenchSplitTower,
  shapes: readonly BatchShape[],
  warmup: number,
  rounds: number,
  seeds: { next: number },
): Promise<Record<string, number[]>> {
  const samples: Record<string, number[]> = {}
  for (const shape of shapes) {
    const calls = Array.from({ length: warmup + rounds }, () =>
      Array.from(
        { length: shape.batch },
        () => textsOfLength(tower.tokenizer, [shape.tokens], seeds.next++).get(shape.tokens)!,
      ),
    )
    const times: number[] = []
    for (const [index, texts] of calls.entries()) {
      const start = performance.now()
      const response = await tower.host.embed(texts)
      const body = await response.text()
      const elapsed = performance.now() - start
      const route = response.headers.get('x-edgeclip-route')
      const cache = response.headers.get('x-edgeclip-cache')
      if (response.status !== 200 || route !== 'edge' || cache !== 'miss')
        throw new Error(
          `gateway answered ${response.status} (route ${route}, cache ${cache}): ${body.slice(0, 300)}`,
        )
      if (index >= warmup) times.push(elapsed)
    }
    samples[shapeKey(shape)] = times
  }
  return samples
}
