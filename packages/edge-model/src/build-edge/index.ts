export {
  type BuildEdgeOptions,
  buildEdgeModel,
  EDGE_TABLE_FILE,
  type EdgeBuild,
  quantizeTextModel,
} from './build-edge'
