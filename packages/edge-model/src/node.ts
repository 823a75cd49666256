// Node file I/O for the edge build: read text_model.onnx, write the artifact folder; and the
// streaming writer for models too large to assemble in memory.
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { type BuildEdgeOptions, buildEdgeModel } from './build-edge'
import { EDGE_MANIFEST_FILE, type EdgeManifest, parseEdgeManifest } from './edge-runner'

export { type LazyTensor, type StreamingModel, writeOnnxStreaming } from './streaming-writer'

export async function buildEdgeModelFiles(
  inputPath: string,
  outDir: string,
  options: BuildEdgeOptions = {},
): Promise<{ manifest: EdgeManifest; bytes: number }> {
  const { manifest, files } = buildEdgeModel(await readFile(inputPath), options)
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
