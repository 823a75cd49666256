// The edge text tower: graph transforms (int8/4-bit weights, table outside, external data, layer
// split) and the runtime-agnostic runner a Worker uses. File I/O lives in `@edgeclip/edge-model/node`.
export {
  type BuildEdgeOptions,
  buildEdgeModel,
  EDGE_TABLE_FILE,
  type EdgeBuild,
  quantizeTextModel,
} from './build-edge'
export {
  decodeTensorBundle,
  EDGE_FORMAT,
  EDGE_MANIFEST_FILE,
  type EdgeManifest,
  type EdgePartManifest,
  edgeBuildId,
  edgeFileSha256,
  embedTokenIds,
  encodeTensorBundle,
  initialTensors,
  type PartRunner,
  parseEdgeManifest,
  runParts,
  sessionPartRunner,
  type TensorMap,
} from './edge-runner'
export {
  decodeEmbeddingTable,
  encodeEmbeddingTable,
  extractEmbeddingTable,
  INPUTS_EMBEDS,
  type Int8EmbeddingTable,
  lookupEmbeddings,
} from './embedding-table'
export { moveToExternalData } from './external-data'
export { quantizeInt8, quantizeQ4 } from './quantize'
export { chooseCuts, findCuts, type GraphPart, splitLayers } from './split-layers'
