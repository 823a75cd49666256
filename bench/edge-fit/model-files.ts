// What the Workers read: the full-size synthetic JinaBERT split into 3 parts by build-edge's
// `buildEdgeModel` (the int8 edge build `pnpm edgeclip model build-edge --parts 3` writes), and
// bert-base-uncased's vocab.txt, uploaded to the MODELS bucket under the keys the Workers read;
// and cache entries for the gateway's KV, so a run can fill the in-isolate L1 without inference.
import { existsSync } from 'node:fs'
import { readdir, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { jinaClipV1, textCacheKey, WordPieceTokenizer } from '@edgeclip/core'
import type { EdgeManifest } from '@edgeclip/edge-model'
import { readEdgeManifest } from '@edgeclip/edge-model/node'
import { splitEdgeIdentity } from '@edgeclip/gateway'
import { writeSyntheticJinaBert } from '@edgeclip/testkit'
// Node-safe leaves of the gateway's Workers code: where the Workers read the model from R2.
import { edgeArtifactKey } from '../../workers/gateway/src/workers/edge-tower/edge-artifact'
import { r2ModelKey } from '../../workers/gateway/src/workers/edge-tower/r2-model-key'
import type { WorkerdHost } from './workerd-host'

export const spec = jinaClipV1
/** Parts of the build: as many as wrangler.edge-part.jsonc deploys. */
export const EDGE_PARTS = 3
const vocabPath = fileURLToPath(new URL('../../../shared/data/tokenizer/vocab.txt', import.meta.url))
/** KvEmbeddingCache's default key prefix (workers/gateway/src/adapters/cache/kv-embedding-cache.ts). */
const KV_PREFIX = 'emb:'

export interface EdgeBuild {
  dir: string
  fp32Path: string
  /** Bytes of each part's files (graph + external data), and of the embedding table. */
  partBytes: number[]
  tableBytes: number
  /** Its build id travels on every hop; the gateway keys edge vectors by it. */
  manifest: EdgeManifest
}

export async function buildEdgeArtifact(workDir: string): Promise<EdgeBuild> {
  const dir = join(workDir, `edge-${EDGE_PARTS}`)
  await writeSyntheticJinaBert(dir, { variant: 'edge', parts: EDGE_PARTS })
  const fp32Path = (await readdir(workDir)).find((file) => /^fp32-12x768-.*\.onnx$/.test(file))
  if (!fp32Path) throw new Error(`no full-size fp32 synthetic model beside ${dir}`)
  const manifest = await readEdgeManifest(dir)
  const sizes = async (files: string[]) => {
    let total = 0
    for (const file of files) total += (await stat(join(dir, file))).size
    return total
  }
  const partBytes: number[] = []
  for (const part of manifest.parts) partBytes.push(await sizes([part.file, part.data]))
  return { dir, fp32Path: join(workDir, fp32Path), partBytes, tableBytes: manifest.table.bytes, manifest }
}

export async function readVocab(): Promise<string> {
  if (!existsSync(vocabPath)) {
    throw new Error(`edge-fit needs bert-base-uncased's vocab.txt at ${vocabPath} (the repo's ../shared)`)
  }
  return readFile(vocabPath, 'utf8')
}

/** vocab.txt and every file of the build, where the Workers read them (`<id>/<revision>/…`). */
export async function uploadModelFiles(host: WorkerdHost, edgeDir: string, vocab: string): Promise<void> {
  await host.putModelFile(r2ModelKey(spec, 'vocab.txt'), new TextEncoder().encode(vocab))
  for (const file of await readdir(edgeDir)) {
    await host.putModelFile(edgeArtifactKey(spec, file), new Uint8Array(await readFile(join(edgeDir, file))))
  }
}

/**
 * Stores a vector in the gateway's KV for each text, under the key the gateway computes (same
 * tokenizer, same key function), so requesting the texts fills its L1 from L2 hits.
 */
export async function storeCachedTexts(
  host: WorkerdHost,
  build: EdgeBuild,
  vocab: string,
  texts: readonly string[],
) {
  const context = { spec, tower: splitEdgeIdentity(build.manifest) }
  const tokenizer = WordPieceTokenizer.fromVocab(vocab, spec.tokenizer)
  const vector = new Uint8Array(new Float32Array(spec.dimensions).fill(0.01).buffer)
  const keys: string[] = []
  for (const text of texts)
    keys.push(`${KV_PREFIX}${await textCacheKey(context, tokenizer.encode(text).ids)}`)
  await host.putCacheEntries(keys, vector)
}
