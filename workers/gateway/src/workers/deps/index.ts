export { FIXTURE_MODEL, selectModel } from './model-selection'
export { workersConfig } from './workers-config'
export type { IsolateDeps } from './workers-deps'
export { buildIsolateDeps, workersGetDeps } from './workers-deps'
