export type { EdgeTowerLoaderOptions } from './edge-tower-loader'
export { createEdgeTowerLoader } from './edge-tower-loader'
export type { TextModelSource } from './model-source'
export {
  bundledTextModelSource,
  EDGE_TEXT_MODEL_FILE,
  r2ModelKey,
  r2TextModelSource,
  VOCAB_FILE,
} from './model-source'
