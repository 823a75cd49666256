export { checkImageHeader, decodableImageFormats, type ImageCheckOptions } from './image-check'
export {
  type ImageFormat,
  type ImageHeader,
  imageMimeTypes,
  readImageHeader,
  readJpegFrame,
} from './image-header'
export { defaultMaxImagePixels } from './image-limits'
export {
  centerCropOffsets,
  imageTensorLength,
  preprocessImage,
  preprocessImageInto,
  preprocessImages,
  resizedSize,
} from './preprocess-image'
