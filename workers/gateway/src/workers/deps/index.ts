export { FIXTURE_MODEL, selectModel } from './model-selection'
export { workersConfig } from './workers-config'
export type { IsolateDeps } from './workers-deps'
export {
  buildIsolateDeps,
  IN_PROCESS_EDGE_NUMERICS,
  splitEdgeIdentity,
  workersGetDeps,
} from './workers-deps'
