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
  type JinaBertShape,
  jinaBertShape,
  type SyntheticJinaBertOptions,
  type SyntheticVariant,
  writeSyntheticJinaBert,
} from './synthetic'
