// @edgeclip/core/node: adapters that need Node (node:*, sharp).

export * from './model-store'
export { SharpImageDecoder, type SharpImageDecoderOptions } from './sharp-image-decoder'
