export {
  centerCropOffsets,
  imageTensorLength,
  preprocessImage,
  preprocessImageInto,
  resizedSize,
} from './preprocess-image'
