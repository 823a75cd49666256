// Node file I/O for the edge build: read text_model.onnx, write the artifact folder; and the
// streaming writer for models too large to assemble in memory.
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { OnnxSession } from '@edgeclip/core'
import { type BuildEdgeOptions, buildEdgeModel } from './build-edge'
import {
  EDGE_MANIFEST_FILE,
  type EdgeManifest,
  embedTokenIds,
  parseEdgeManifest,
  sessionPartRunner,
} from './edge-runner'
import { createWebPartSession } from './edge-runner/web-session'
import { decodeEmbeddingTable } from './embedding-table'

export { type LazyTensor, type StreamingModel, writeOnnxStreaming } from './streaming-writer'

export async function buildEdgeModelFiles(
  inputPath: string,
  outDir: string,
  options: BuildEdgeOptions = {},
): Promise<{ manifest: EdgeManifest; bytes: number }> {
  const { manifest, files } = await buildEdgeModel(await readFile(inputPath), options)
  await mkdir(outDir, { recursive: true })
  let bytes = 0
  for (const [name, content] of files) {
    await writeFile(join(outDir, name), content)
    bytes += content.length
  }
  return { manifest, bytes }
}

export async function readEdgeManifest(dir: string): Promise<EdgeManifest> {
  return parseEdgeManifest(await readFile(join(dir, EDGE_MANIFEST_FILE), 'utf8'))
}

export interface LocalEdgeTextModel {
  manifest: EdgeManifest
  /** Token-id rows (with [CLS] and [SEP]) -> one float32 row each, through every part in turn. */
  embed(batch: readonly (readonly number[])[], padId: number): Promise<Float32Array[]>
  release(): Promise<void>
}

/** Loads an edge artifact folder into onnxruntime-web (WASM, one thread), all parts in this process. */
export async function loadEdgeTextModel(dir: string): Promise<LocalEdgeTextModel> {
  const manifest = await readEdgeManifest(dir)
  const tableBytes = new Uint8Array(await readFile(join(dir, manifest.table.file)))
  const table = decodeEmbeddingTable(tableBytes, manifest.table.rows, manifest.table.width)
  const sessions: OnnxSession[] = []
  for (const part of manifest.parts) {
    const model = new Uint8Array(await readFile(join(dir, part.file)))
    const bytes = new Uint8Array(await readFile(join(dir, part.data)))
    sessions.push(await createWebPartSession(model, { path: part.data, bytes }))
  }
  const runners = sessions.map(sessionPartRunner)
  return {
    manifest,
    embed: (batch, padId) => embedTokenIds(manifest, table, runners, batch, padId),
    release: async () => {
      for (const session of sessions) await session.release()
    },
  }
}
