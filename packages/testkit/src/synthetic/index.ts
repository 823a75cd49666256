export { alibiSlopes, type JinaBertShape, jinaBertShape } from './jina-bert-shape'
export {
  type SyntheticJinaBertOptions,
  type SyntheticVariant,
  writeSyntheticJinaBert,
} from './write-synthetic-jina-bert'
