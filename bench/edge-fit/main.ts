// `tsx bench/edge-fit/main.ts [--quick]`: the edge-fit measurement alone.
import { runEdgeFitBench } from '.'

const result = await runEdgeFitBench({ quick: process.argv.includes('--quick') })
console.log(JSON.stringify(result, null, 2))
