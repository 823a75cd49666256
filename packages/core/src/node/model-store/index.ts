export {
  defaultHfEndpoint,
  type FetchModelOptions,
  type FetchModelResult,
  type FetchProgress,
  fetchModel,
  modelFileUrl,
  resolveHfEndpoint,
} from './fetch-model'
export { type ManifestEntry, type ModelManifest, manifestFileName, readManifest } from './manifest'
export { type ModelFileEntry, modelFiles } from './model-files'
export { ModelStoreError, type ModelStoreErrorCode } from './model-store-error'
export { type ModelDir, type ReadModelDirOptions, readModelBytes, readModelDir } from './read-model-dir'
