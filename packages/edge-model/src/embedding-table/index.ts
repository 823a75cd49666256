export { extractEmbeddingTable, INPUTS_EMBEDS } from './extract-table'
export {
  decodeEmbeddingTable,
  encodeEmbeddingTable,
  type Int8EmbeddingTable,
  lookupEmbeddings,
  quantizeRowsInt8,
} from './int8-table'
