// `pnpm --filter @edgeclip/gpu-backend bench:cpu [--quick] [--synthetic path/to/text_model.onnx]`:
// prints the CPU figures as JSON (`pnpm bench` at the root records them in bench/results/).
import { parseArgs } from 'node:util'
import { runBackendCpuBench } from './cpu'

const { values } = parseArgs({
  options: { quick: { type: 'boolean', default: false }, synthetic: { type: 'string' } },
})
const figures = await runBackendCpuBench({
  quick: values.quick ?? false,
  ...(values.synthetic ? { syntheticTextModel: values.synthetic } : {}),
  log: (message) => console.error(message),
})
console.log(JSON.stringify(figures, null, 2))
