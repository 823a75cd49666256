import ortWasm from 'onnxruntime-web/ort-wasm-simd-threaded.wasm'
import { describe, expect, it } from 'vitest'
import { configureWorkersOnnxRuntime, createWorkersOnnxSession } from '../../src/workers/onnx-runtime'
import { buildCastModel } from './cast-model'

describe('ONNX Runtime Web in workerd', () => {
  it('runs a graph on the precompiled wasm module', async () => {
    configureWorkersOnnxRuntime(ortWasm)
    const session = await createWorkersOnnxSession(buildCastModel())
    expect(session.inputNames).toEqual(['input_ids'])
    const outputs = await session.run({
      input_ids: { type: 'int64', data: new BigInt64Array([101n, 7n, 102n, 0n]), dims: [2, 2] },
    })
    expect(outputs.values?.dims).toEqual([2, 2])
    expect(Array.from(outputs.values?.data as Float32Array)).toEqual([101, 7, 102, 0])
    await session.release()
  })
})
