export {
  defaultHfEndpoint,
  type FetchModelOptions,
  type FetchModelResult,
  type FetchProgress,
  fetchModel,
  modelFileUrl,
  resolveHfEndpoint,
} from './fetch-model'
export {
  emptyManifest,
  type ManifestEntry,
  type ModelManifest,
  manifestFileName,
  readManifest,
  sha256File,
  writeManifest,
} from './manifest'
export { type ModelFileEntry, modelFiles } from './model-files'
export { ModelStoreError, type ModelStoreErrorCode } from './model-store-error'
export {
  checkServedVocab,
  type ModelDir,
  type ReadModelDirOptions,
  readModelBytes,
  readModelDir,
  readTowerFile,
  type TowerFileBytes,
} from './read-model-dir'
