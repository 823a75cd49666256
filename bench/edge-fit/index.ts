// Edge fit (issue 11.4) for the bench harness: measured isolate memory per Worker and phase.
import { runEdgeFit } from './edge-fit'

export type { Agreement } from './agreement'
export { type EdgeFitOptions, runEdgeFit } from './edge-fit'
export {
  type EdgeFitReport,
  edgeFitMarkdown,
  ISOLATE_LIMIT_MIB,
  ISOLATE_TARGET_MIB,
  type IsolateRow,
} from './report'

/** Runs the measurement, writes bench/results/edge-fit.{json,md}, and resolves the figures. */
export function runEdgeFitBench(options: { quick: boolean }): Promise<object> {
  return runEdgeFit(options)
}
