export { type Eva02Precision, eva02Graph } from './eva02-graph'
export { type Eva02Shape, eva02Rope, eva02Shape, rotateHalfMatrix } from './eva02-shape'
export { alibiSlopes, type JinaBertShape, jinaBertShape } from './jina-bert-shape'
export { type SyntheticEva02Options, writeSyntheticEva02 } from './write-synthetic-eva02'
export {
  type SyntheticJinaBertOptions,
  type SyntheticVariant,
  writeSyntheticJinaBert,
} from './write-synthetic-jina-bert'
