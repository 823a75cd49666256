// The split edge tower as stored in R2 (`<model id>/<revision>/edge/…`, written by
// `pnpm edgeclip model build-edge`) and the hop between the gateway and the part Workers.
import { EdgeclipError, type ModelSpec } from '@edgeclip/core'
import { EDGE_MANIFEST_FILE, type EdgeManifest, parseEdgeManifest } from '@edgeclip/edge-model'
import type { R2Bucket } from '../runtime-types'
import { missingModelFile, r2ModelKey } from './r2-model-key'

/** The folder `build-edge` writes inside the model directory; uploaded as is. */
export const EDGE_ARTIFACT_DIR = 'edge'

/**
 * Every hop (gateway -> part 0 -> part 1 -> ...) names the build it belongs to; a part holding
 * another build answers 409 `edge_build_mismatch` instead of mixing two builds' layers.
 */
export const EDGE_BUILD_HEADER = 'x-edgeclip-edge-build'
export const EDGE_BUILD_MISMATCH = 'edge_build_mismatch'

/** Body type of every hop: named tensors in one binary body (`encodeTensorBundle`). */
export const TENSOR_BUNDLE_TYPE = 'application/vnd.edgeclip.tensor-bundle'

/**
 * On a part Worker's error answer: the index of the part that answered, so the gateway can say
 * which one is down. Earlier parts pass a later part's answer back unchanged, header included.
 */
export const EDGE_PART_HEADER = 'x-edgeclip-edge-part'

export const edgeArtifactKey = (spec: ModelSpec, file: string): string =>
  r2ModelKey(spec, `${EDGE_ARTIFACT_DIR}/${file}`)

/** The artifact's manifest, or undefined when none was uploaded for this revision. */
export async function readEdgeManifest(bucket: R2Bucket, spec: ModelSpec): Promise<EdgeManifest | undefined> {
  const key = edgeArtifactKey(spec, EDGE_MANIFEST_FILE)
  const object = await bucket.get(key)
  if (!object) return undefined
  try {
    return parseEdgeManifest(await object.text())
  } catch (error) {
    // A broken upload is an outage to name, not a crash on every request.
    throw new EdgeclipError(`${key} is not an edge text model manifest: ${String(error)}`, {
      status: 503,
      code: 'model_unavailable',
      cause: error,
    })
  }
}

/** Reads one artifact file whole; a missing one is a 503 naming its key. */
export async function readEdgeFile(bucket: R2Bucket, spec: ModelSpec, file: string): Promise<Uint8Array> {
  const key = edgeArtifactKey(spec, file)
  const object = await bucket.get(key)
  if (!object) throw missingModelFile(key)
  return new Uint8Array(await object.arrayBuffer())
}
