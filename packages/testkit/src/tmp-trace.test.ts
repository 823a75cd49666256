import { readFile } from 'node:fs/promises'
import * as ortWeb from 'onnxruntime-web'
import { it } from 'vitest'
import { decodeModel, encodeModel, onnx } from '../../edge-model/src/onnx-graph'
ortWeb.env.wasm.numThreads = 1
it('trace', async () => {
  const model = decodeModel(new Uint8Array(await readFile(process.env.TRACE_MODEL ?? '/tmp/i11/fp32.onnx')))
  const g = model.graph!
  const names: string[] = []
  for (const n of g.node!) for (const o of n.output!) { names.push(o); }
  const op = new Map(g.node!.map((n) => [n.output![0]!, n.opType!]))
  g.output = names.map((name) => onnx.ValueInfoProto.create({ name }))
  const session = await ortWeb.InferenceSession.create(encodeModel(model), { graphOptimizationLevel: (process.env.OPT as 'all') ?? 'all' })
  const run = async (rows: number[][]) => {
    const S = Math.max(...rows.map((r) => r.length))
    const ids = new BigInt64Array(rows.length * S)
    rows.forEach((r, i) => r.forEach((v, j) => { ids[i * S + j] = BigInt(v) }))
    return { S, out: await session.run({ input_ids: new ortWeb.Tensor('int64', ids, [rows.length, S]) }) }
  }
  const t = (n: number, s: number) => [101, ...Array.from({ length: n - 2 }, (_, i) => 1000 + ((i * 37 + s * 101) % 3000)), 102]
  const a = t(7, 1), b = t(16, 3)
  const alone = await run([a])
  const both = await run([b, a])
  const n = a.length
  for (const name of session.outputNames) {
    const x = alone.out[name]!, y = both.out[name]!
    if (x.type !== 'float32' || x.dims.length < 2) continue
    // compare slice for row (batch index 1) where dims [1,S,...] or [1,H,S,S]
    const dx = x.dims, dy = y.dims
    let worst = 0
    const X = x.data as Float32Array, Y = y.data as Float32Array
    if (dx.length === 3 && dx[1] === n) {
      const w = dx[2]!
      for (let i = 0; i < n; i++) for (let k = 0; k < w; k++) worst = Math.max(worst, Math.abs(X[i * w + k]! - Y[(1 * dy[1]! + i) * w + k]!))
    } else if (dx.length === 4 && dx[2] === n) {
      const H = dx[1]!, w = dx[3]!, wy = dy[3]!
      for (let h = 0; h < H; h++) for (let i = 0; i < n; i++) for (let k = 0; k < Math.min(w, n === w ? n : w); k++) worst = Math.max(worst, Math.abs(X[(h * n + i) * w + k]! - Y[((1 * H + h) * dy[2]! + i) * wy + k]!))
    } else if (dx.length === 2 && dx[0] === 1) {
      const w = dx[1]!
      for (let k = 0; k < w; k++) worst = Math.max(worst, Math.abs(X[k]! - Y[w + k]!))
    } else continue
    if (worst > 0) console.log(name, op.get(name), JSON.stringify(dx), worst)
  }
}, 120000)
