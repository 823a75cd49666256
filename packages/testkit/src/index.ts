export { isCi, missingOutsideCi } from './ci'
export {
  buildFixtureTextModel,
  buildFixtureVisionModel,
  buildFixtureVocab,
  writeFixtureModelDir,
} from './fixtures'
export type { HttpHandler, RunningHttpServer } from './http'
export { freePort, startHttpServer } from './http'
export type { RunningRedis } from './redis'
export { hasRedisServer, redisTestsEnabled, startRedisServer } from './redis'
export {
  type Eva02Precision,
  type Eva02Shape,
  eva02Shape,
  type JinaBertShape,
  jinaBertShape,
  type SyntheticEva02Options,
  type SyntheticJinaBertOptions,
  type SyntheticVariant,
  writeSyntheticEva02,
  writeSyntheticJinaBert,
} from './synthetic'
