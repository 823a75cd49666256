export type { Stage } from './stage-timings'
export { StageTimings } from './stage-timings'
