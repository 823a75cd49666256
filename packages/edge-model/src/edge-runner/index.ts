export {
  EDGE_FORMAT,
  EDGE_MANIFEST_FILE,
  type EdgeManifest,
  type EdgePartManifest,
  edgeBuildId,
  edgeFileSha256,
  parseEdgeManifest,
} from './edge-manifest'
export {
  embedTokenIds,
  initialTensors,
  type PartRunner,
  runParts,
  sessionPartRunner,
  type TensorMap,
} from './edge-text-model'
export { decodeTensorBundle, encodeTensorBundle } from './tensor-bundle'
