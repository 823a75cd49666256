// Node side of the split edge tower tests: a small synthetic JinaBERT (jina-clip-v1's width and
// I/O, 2 layers, the fixture's 512-token vocab) in fp32 and split by `buildEdgeModel` into the
// parts that the deploy config runs, and the part Worker bundled as `wrangler deploy` would ship it.
import { execFile } from 'node:child_process'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { fixtureModelSpec } from '@edgeclip/core'
import { buildEdgeModel } from '@edgeclip/edge-model'
import { writeSyntheticJinaBert } from '@edgeclip/testkit'
import { REBUILT_PREFIX } from './shared'

/** As many as wrangler.edge-part.jsonc deploys; the workers test config starts one Worker each. */
const EDGE_PARTS = 3

export interface SplitEdgeArtifact {
  /** The un-split fp32 model, for the onnxruntime-node reference. */
  fp32: Uint8Array
  /** The artifact's files (manifest.json, embeddings.int8, part-<i>.onnx[.data]) in this folder. */
  edgeDir: string
  files: string[]
  /**
   * Another build of the same shape (other weights), its files beside the first as
   * `${REBUILT_PREFIX}<name>`: what a rebuild uploaded under the same revision looks like.
   */
  rebuiltFiles: string[]
  /** `wrangler deploy --dry-run` output for the part Worker: index.js and ORT's .wasm. */
  partBundleDir: string
}

export async function buildSplitEdgeArtifact(
  workDir: string,
  packageDir: string,
): Promise<SplitEdgeArtifact> {
  const { path } = await writeSyntheticJinaBert(join(workDir, 'fp32.onnx'), {
    shape: { layers: 2, intermediate: 256, vocabRows: fixtureModelSpec.tokenizer.embeddingRows },
  })
  const fp32 = new Uint8Array(await readFile(path))
  const edgeDir = join(workDir, 'edge')
  await mkdir(edgeDir, { recursive: true })
  const { files } = await buildEdgeModel(fp32, { parts: EDGE_PARTS })
  for (const [name, bytes] of files) await writeFile(join(edgeDir, name), bytes)
  const { path: otherPath } = await writeSyntheticJinaBert(join(workDir, 'fp32-rebuilt.onnx'), {
    shape: { layers: 2, intermediate: 256, vocabRows: fixtureModelSpec.tokenizer.embeddingRows },
    seed: 2,
  })
  const rebuilt = await buildEdgeModel(new Uint8Array(await readFile(otherPath)), { parts: EDGE_PARTS })
  for (const [name, bytes] of rebuilt.files) await writeFile(join(edgeDir, `${REBUILT_PREFIX}${name}`), bytes)
  const partBundleDir = join(workDir, 'edge-part-bundle')
  await promisify(execFile)(
    join(packageDir, 'node_modules', '.bin', 'wrangler'),
    ['deploy', '--dry-run', '-c', 'wrangler.edge-part.jsonc', '--env', 'part-0', '--outdir', partBundleDir],
    { cwd: packageDir, env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: 'true' } },
  )
  return { fp32, edgeDir, files: [...files.keys()], rebuiltFiles: [...rebuilt.files.keys()], partBundleDir }
}
