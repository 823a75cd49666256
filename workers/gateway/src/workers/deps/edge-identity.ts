// Identities of the Workers edge towers (what their cache keys name), apart from their loaders so
// Node code (bench, tests) can key entries the way a Workers gateway does without workerd modules.
import type { TowerIdentity } from '@edgeclip/core'
import type { EdgeManifest } from '@edgeclip/edge-model'

/** A single-file tower run by onnxruntime-web in this isolate. */
export const IN_PROCESS_EDGE_NUMERICS = 'fp32/onnxruntime-web-wasm'

/** The split tower's identity: its build id names the parts and table; the numerics their weights. */
export const splitEdgeIdentity = (manifest: EdgeManifest): TowerIdentity => ({
  weights: manifest.buildId,
  numerics: `${manifest.weights}/edge-split-onnxruntime-web-wasm`,
})
