// A small builder for ONNX graphs whose weights are produced lazily (see writeOnnxStreaming).
import type { LazyTensor, StreamingModel } from '@edgeclip/edge-model/node'
import onnxProto from 'onnx-proto'

const { onnx } = onnxProto
type NodeProto = onnxProto.onnx.INodeProto
type AttributeValue = number | readonly number[]

export const FLOAT = 1
export const INT64 = 7
export const FLOAT16 = 10

export class GraphBuilder {
  readonly nodes: NodeProto[] = []
  readonly initializers: LazyTensor[] = []
  #counter = 0

  /** Adds a node; returns its (first) output name. */
  node(
    opType: string,
    inputs: readonly string[],
    attributes: Record<string, AttributeValue> = {},
    output?: string,
  ): string {
    const name = output ?? `${opType.toLowerCase()}_${this.#counter++}`
    this.nodes.push(
      onnx.NodeProto.create({
        opType,
        input: [...inputs],
        output: [name],
        name: `${name}_node`,
        attribute: Object.entries(attributes).map(([key, value]) => attribute(key, value)),
      }),
    )
    return name
  }

  floats(name: string, dims: readonly number[], produce: () => Float32Array): string {
    const count = dims.reduce((product, dim) => product * dim, 1)
    this.initializers.push({ name, dims, dataType: FLOAT, byteLength: count * 4, produce })
    return name
  }

  /** IEEE half weights, produced as float32 and rounded when written. */
  halves(name: string, dims: readonly number[], produce: () => Float32Array): string {
    const count = dims.reduce((product, dim) => product * dim, 1)
    this.initializers.push({
      name,
      dims,
      dataType: FLOAT16,
      byteLength: count * 2,
      produce: () => toHalfBits(produce()),
    })
    return name
  }

  ints(name: string, values: readonly number[], dims: readonly number[] = [values.length]): string {
    const data = BigInt64Array.from(values.map(BigInt))
    this.initializers.push({ name, dims, dataType: INT64, byteLength: data.byteLength, produce: () => data })
    return name
  }

  scalar(name: string, value: number): string {
    const data = new Float32Array([value])
    this.initializers.push({ name, dims: [], dataType: FLOAT, byteLength: 4, produce: () => data })
    return name
  }

  model(
    name: string,
    inputs: StreamingModel['inputs'],
    outputs: StreamingModel['outputs'],
    opset: number,
  ): StreamingModel {
    return {
      name,
      opset: [{ domain: '', version: opset }],
      nodes: this.nodes,
      inputs,
      outputs,
      initializers: this.initializers,
    }
  }
}

function attribute(name: string, value: AttributeValue) {
  const { AttributeType } = onnx.AttributeProto
  if (typeof value !== 'number')
    return onnx.AttributeProto.create({ name, type: AttributeType.INTS, ints: [...value] })
  if (Number.isInteger(value)) return onnx.AttributeProto.create({ name, type: AttributeType.INT, i: value })
  return onnx.AttributeProto.create({ name, type: AttributeType.FLOAT, f: value })
}

export function tensorInfo(name: string, elemType: number, dims: readonly (string | number)[]) {
  return onnx.ValueInfoProto.create({
    name,
    type: onnx.TypeProto.create({
      tensorType: onnx.TypeProto.Tensor.create({
        elemType,
        shape: onnx.TensorShapeProto.create({
          dim: dims.map((dim) =>
            onnx.TensorShapeProto.Dimension.create(
              typeof dim === 'string' ? { dimParam: dim } : { dimValue: dim },
            ),
          ),
        }),
      }),
    }),
  })
}

/** Seeded N(0, std) values (mulberry32 + Box-Muller): the same seed writes the same bytes. */
export function seededNormal(count: number, seed: number, std: number): Float32Array {
  let state = seed >>> 0
  const uniform = () => {
    state = (state + 0x6d2b79f5) >>> 0
    let mixed = Math.imul(state ^ (state >>> 15), 1 | state)
    mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed)) ^ mixed
    return (((mixed ^ (mixed >>> 14)) >>> 0) + 0.5) / 2 ** 32
  }
  const values = new Float32Array(count)
  for (let index = 0; index < count; index += 2) {
    const radius = std * Math.sqrt(-2 * Math.log(uniform()))
    const angle = 2 * Math.PI * uniform()
    values[index] = radius * Math.cos(angle)
    if (index + 1 < count) values[index + 1] = radius * Math.sin(angle)
  }
  return values
}

const scratch = new DataView(new ArrayBuffer(4))

/**
 * float32 → IEEE half bits, rounding to nearest even. Hand-written: Node 22 has no Float16Array
 * without a flag, and the repo has no dependency that converts.
 */
export function toHalfBits(values: Float32Array): Uint16Array {
  const halves = new Uint16Array(values.length)
  for (let index = 0; index < values.length; index++) {
    scratch.setFloat32(0, values[index]!)
    const bits = scratch.getUint32(0)
    const sign = (bits >>> 16) & 0x8000
    const exponent = (bits >>> 23) & 0xff
    let mantissa = bits & 0x7fffff
    if (exponent === 0xff) {
      halves[index] = sign | 0x7c00 | (mantissa ? 0x200 : 0)
      continue
    }
    const halfExponent = exponent - 127 + 15
    if (halfExponent >= 0x1f) {
      halves[index] = sign | 0x7c00
      continue
    }
    if (halfExponent <= 0) {
      if (halfExponent < -10) {
        halves[index] = sign
        continue
      }
      mantissa |= 0x800000
      const shift = 14 - halfExponent
      const rounded = roundShift(mantissa, shift)
      halves[index] = sign | rounded
      continue
    }
    // Carrying out of the mantissa bumps the exponent, which is what IEEE rounding wants.
    halves[index] = sign | ((halfExponent << 10) + roundShift(mantissa, 13))
  }
  return halves
}

function roundShift(value: number, shift: number): number {
  const kept = value >>> shift
  const rest = value - kept * 2 ** shift
  const half = 2 ** (shift - 1)
  return rest > half || (rest === half && kept & 1) ? kept + 1 : kept
}
