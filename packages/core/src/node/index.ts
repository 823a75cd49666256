// @edgeclip/core/node: adapters that need Node (node:*, sharp).
export { SharpImageDecoder, type SharpImageDecoderOptions } from './sharp-image-decoder'
