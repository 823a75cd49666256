export {
  EDGE_ARTIFACT_DIR,
  EDGE_BUILD_HEADER,
  EDGE_BUILD_MISMATCH,
  EDGE_PART_HEADER,
  edgeArtifactKey,
  readEdgeFile,
  readEdgeManifest,
  TENSOR_BUNDLE_TYPE,
} from './edge-artifact'
export type { EdgeTowerLoaderOptions } from './edge-tower-loader'
export { createEdgeTowerLoader } from './edge-tower-loader'
export type { EdgeTowerSource, TextModelSource } from './model-source'
export { bundledTextModelSource, r2TextModelSource, VOCAB_FILE } from './model-source'
export { missingModelFile, r2ModelKey } from './r2-model-key'
export {
  EdgeBuildMismatchError,
  EdgePartError,
  type ServiceBinding,
  ServiceBindingTextTower,
  type ServiceBindingTextTowerOptions,
} from './service-binding-text-tower'
