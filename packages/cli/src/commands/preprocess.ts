// `edgeclip preprocess IMAGE --out FILE`: the exact tensor the vision tower gets, for checking against Pillow.
import { readFile, writeFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { preprocessImage } from '@edgeclip/core'
import { SharpImageDecoder } from '@edgeclip/core/node'
import { type Command, resolveUserPath, UsageError } from '../command'
import { selectedModelSpec } from '../model-selection'

const usage = `usage:
  edgeclip preprocess IMAGE --out FILE

Decodes IMAGE, resizes, crops and normalizes it as the model expects and writes the float32
little-endian CHW tensor to FILE. Prints its shape and value range as JSON.`

const hostIsLittleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1

function littleEndianBytes(tensor: Float32Array): Uint8Array {
  if (hostIsLittleEndian) return new Uint8Array(tensor.buffer, tensor.byteOffset, tensor.byteLength)
  const bytes = new Uint8Array(tensor.byteLength)
  const view = new DataView(bytes.buffer)
  tensor.forEach((value, index) => {
    view.setFloat32(index * 4, value, true)
  })
  return bytes
}

export const preprocessCommand: Command = {
  name: 'preprocess',
  summary: 'preprocess IMAGE --out FILE: write the vision tower input tensor',
  usage,
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: [...argv],
      options: { out: { type: 'string' } },
      allowPositionals: true,
    })
    if (positionals.length !== 1) throw new UsageError('give exactly one IMAGE')
    if (values.out === undefined) throw new UsageError('--out FILE is required')
    const spec = selectedModelSpec(io)
    const imagePath = resolveUserPath(io, positionals[0] as string)
    const outPath = resolveUserPath(io, values.out)
    const decoded = await new SharpImageDecoder().decode(new Uint8Array(await readFile(imagePath)))
    const tensor = preprocessImage(decoded, spec.image)
    await writeFile(outPath, littleEndianBytes(tensor))
    let min = Number.POSITIVE_INFINITY
    let max = Number.NEGATIVE_INFINITY
    for (const value of tensor) {
      min = Math.min(min, value)
      max = Math.max(max, value)
    }
    const summary = {
      shape: [3, spec.image.size, spec.image.size],
      dtype: 'float32',
      byteOrder: 'little',
      out: outPath,
      source: { width: decoded.width, height: decoded.height, mode: decoded.mode },
      min,
      max,
    }
    io.stdout(`${JSON.stringify(summary)}\n`)
    return 0
  },
}
