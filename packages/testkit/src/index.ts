export { isCi, missingOutsideCi } from './ci'
export {
  buildFixtureTextModel,
  buildFixtureVisionModel,
  buildFixtureVocab,
  writeFixtureModelDir,
} from './fixtures'
export type { HttpHandler, RunningHttpServer } from './http'
export { freePort, startHttpServer } from './http'
export {
  type JinaBertShape,
  jinaBertShape,
  type SyntheticJinaBertOptions,
  type SyntheticVariant,
  writeSyntheticJinaBert,
} from './synthetic'
