// Runs another package's bench entry in its own process and prints its figures as one JSON line.
// usage: call-bench.ts backend-cpu <quick|full> [syntheticModel] | call-bench.ts edge-fit <quick|full>
import { peakRssMiB } from '../child'

const [which, mode, syntheticTextModel] = process.argv.slice(2)
const quick = mode === 'quick'
const log = (message: string) => console.error(`[${which}] ${message}`)
let figures: object
if (which === 'backend-cpu') {
  const { runBackendCpuBench } = await import('@edgeclip/gpu-backend/bench/cpu')
  figures = await runBackendCpuBench({ quick, syntheticTextModel, log })
} else if (which === 'edge-fit') {
  // H4's harness lives beside ours in bench/edge-fit and writes its own edge-fit.{json,md} too.
  const { runEdgeFitBench } = await import('../../edge-fit/index')
  figures = await runEdgeFitBench({ quick })
} else {
  throw new Error(`unknown bench ${which}`)
}
process.stdout.write(`${JSON.stringify({ figures, peakRssMiB: peakRssMiB() })}\n`)
// Worker pools or runtimes may keep handles open; the figures are out, so leave.
process.exit(0)
