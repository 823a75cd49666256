// Edge fit (issue 6.3d) for the bench harness: workerd memory per text-tower variant and part.
import { runEdgeFit } from './edge-fit'

export type { Agreement } from './agreement'
export { edgeFitMarkdown, type HopFigure, ISOLATE_LIMIT_BYTES, type PartMemory, runEdgeFit } from './edge-fit'

/** Runs the measurement, writes bench/results/edge-fit.{json,md}, and resolves the figures. */
export function runEdgeFitBench(options: { quick: boolean }): Promise<object> {
  return runEdgeFit(options)
}
