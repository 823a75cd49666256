// One part of the split edge tower, loaded from R2 on the part Worker's first request (Workers
// allow 1 s of startup; creating a session takes longer).
import { EdgeclipError, fixtureModelSpec, type ModelSpec, modelSpecs, type OnnxSession } from '@edgeclip/core'
import {
  decodeEmbeddingTable,
  EDGE_MANIFEST_FILE,
  type EdgeManifest,
  type EdgePartManifest,
  edgeFileSha256,
  type Int8EmbeddingTable,
} from '@edgeclip/edge-model'
import {
  EDGE_BUILD_MISMATCH,
  edgeArtifactKey,
  missingModelFile,
  readEdgeFile,
  readEdgeManifest,
} from '../edge-tower'
import { configureWorkersOnnxRuntime, createWorkersOnnxSession } from '../onnx-runtime'
import type { EdgePartEnv } from './edge-part-env'

export interface LoadedEdgePart {
  manifest: EdgeManifest
  index: number
  part: EdgePartManifest
  session: OnnxSession
  /** Held by the part whose graph reads the looked-up embeddings (the first). */
  table: Int8EmbeddingTable | undefined
  last: boolean
}

/** 409: the gateway then sends its texts to the backend rather than mixing two builds. */
export const buildMismatch = (message: string) =>
  new EdgeclipError(message, { status: 409, code: EDGE_BUILD_MISMATCH })

/** A file re-uploaded from another build under the same revision must not load as this one's. */
async function checkFile(key: string, bytes: Uint8Array, sha256: string, buildId: string): Promise<void> {
  if ((await edgeFileSha256(bytes)) !== sha256) {
    throw buildMismatch(`${key} is not the file edge build ${buildId} names (its sha256 differs).`)
  }
}

const misconfigured = (message: string) =>
  new EdgeclipError(message, { status: 503, code: 'edge_part_misconfigured' })

function specFor(model: string): ModelSpec {
  const spec = model === 'fixture' ? fixtureModelSpec : modelSpecs[model]
  if (!spec) throw misconfigured(`EDGECLIP_MODEL=${model} is not a known model.`)
  return spec
}

export async function loadEdgePart(
  env: EdgePartEnv,
  wasmModule: WebAssembly.Module,
): Promise<LoadedEdgePart> {
  const spec = specFor(env.EDGECLIP_MODEL)
  const index = Number(env.EDGE_PART_INDEX)
  const manifest = await readEdgeManifest(env.MODELS, spec)
  if (!manifest) throw missingModelFile(edgeArtifactKey(spec, EDGE_MANIFEST_FILE))
  const part = Number.isSafeInteger(index) ? manifest.parts[index] : undefined
  if (!part) {
    throw misconfigured(
      `EDGE_PART_INDEX=${env.EDGE_PART_INDEX} is not a part of the ${manifest.parts.length}-part edge tower.`,
    )
  }
  const needsTable = part.inputs.includes(manifest.embedsInput)
  const tableKey = edgeArtifactKey(spec, manifest.table.file)
  // Checked before the session exists, so a missing table never strands a loaded session.
  if (needsTable && !(await env.MODELS.head(tableKey))) throw missingModelFile(tableKey)
  const [model, data] = await Promise.all([
    readEdgeFile(env.MODELS, spec, part.file),
    readEdgeFile(env.MODELS, spec, part.data),
  ])
  await checkFile(edgeArtifactKey(spec, part.file), model, part.sha256.file, manifest.buildId)
  await checkFile(edgeArtifactKey(spec, part.data), data, part.sha256.data, manifest.buildId)
  configureWorkersOnnxRuntime(wasmModule)
  const session = await createWorkersOnnxSession(model, { externalData: [{ path: part.data, data }] })
  // The table after the session: their load-time bytes are then never live together (the measured
  // 94 MiB peak of a 3-part split relies on it, docs/edge-tower.md).
  let table: Int8EmbeddingTable | undefined
  if (needsTable) {
    const bytes = await readEdgeFile(env.MODELS, spec, manifest.table.file)
    try {
      await checkFile(tableKey, bytes, manifest.table.sha256, manifest.buildId)
    } catch (error) {
      await session.release()
      throw error
    }
    try {
      table = decodeEmbeddingTable(bytes, manifest.table.rows, manifest.table.width)
    } catch (error) {
      await session.release()
      throw new EdgeclipError(`${tableKey} does not match its manifest: ${String(error)}`, {
        status: 503,
        code: 'model_unavailable',
        cause: error,
      })
    }
  }
  return { manifest, index, part, session, table, last: index === manifest.parts.length - 1 }
}
