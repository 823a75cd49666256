import { writeBenchTowers } from './bench/gpu-towers'

const t = performance.now()
const files = await writeBenchTowers(false, (l) => console.log(l))
console.log(
  JSON.stringify(files.text),
  JSON.stringify(files.image),
  ((performance.now() - t) / 1000).toFixed(1),
  's',
)
