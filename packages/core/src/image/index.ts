export { type ImageFormat, type ImageHeader, imageMimeTypes, readImageHeader } from './image-header'
export {
  centerCropOffsets,
  imageTensorLength,
  preprocessImage,
  preprocessImageInto,
  resizedSize,
} from './preprocess-image'
