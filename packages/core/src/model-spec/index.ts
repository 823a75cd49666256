export { fixtureModelSpec } from './fixture'
export { defaultModelSpec, jinaClipV1, modelSpecs } from './jina-clip-v1'
export type {
  ImageSpec,
  Modality,
  ModelFile,
  ModelSpec,
  OnnxIoSpec,
  OnnxVariant,
  TokenizerSpec,
} from './model-spec'
