// The two bicubic passes in WebAssembly SIMD (../../wasm/pillow-resample.c), byte-identical to
// the JS passes and to Pillow: V8's scalar loops run about half Pillow's C speed per multiply-add,
// and SIMD is what lets a core outrun Pillow. Compiled lazily on first use; where WebAssembly or
// its SIMD is unavailable (or compiling from bytes is not allowed, as on Workers), callers get
// undefined and use the JS passes.
import type { ResampleCoefficients } from './pillow-resample'
import { pillowResampleWasmBase64 } from './pillow-resample-wasm-bytes'

interface ResampleExports {
  memory: WebAssembly.Memory
  __heap_base: WebAssembly.Global
  horizontal: (...args: number[]) => void
  vertical: (...args: number[]) => void
  premultiply: (pixels: number, count: number, channels: number) => void
}

/** Bytes the horizontal kernel may read past the last source row (it loads 16 at a time). */
const sourcePadding = 64
/** Source rows are copied in at most this many bytes at a time, which bounds the module's memory. */
const chunkBytes = 4 * 2 ** 20

let exportsOrFailure: ResampleExports | null | undefined
let enabled = true

/** Tests turn the WebAssembly passes off to check the JS ones against Pillow too. */
export function setWasmResampleEnabled(value: boolean): void {
  enabled = value
}

/** The instantiated module, or undefined where it cannot run here. */
export function wasmResample(): WasmResample | undefined {
  if (!enabled) return undefined
  if (exportsOrFailure === undefined) {
    try {
      const binary = Uint8Array.from(atob(pillowResampleWasmBase64), (character) => character.charCodeAt(0))
      const instance = new WebAssembly.Instance(new WebAssembly.Module(binary), {})
      exportsOrFailure = instance.exports as unknown as ResampleExports
    } catch {
      exportsOrFailure = null
    }
  }
  return exportsOrFailure ? new WasmResample(exportsOrFailure) : undefined
}

/** A bump allocator over the module's memory for one resize; every call starts from the heap base. */
export class WasmResample {
  private next: number

  constructor(private readonly module: ResampleExports) {
    this.next = module.__heap_base.value as number
  }

  /** Reserves `bytes` (16-aligned), growing the memory when it is short. */
  allocate(bytes: number): number {
    const pointer = (this.next + 15) & ~15
    this.next = pointer + bytes
    const missing = this.next - this.module.memory.buffer.byteLength
    if (missing > 0) this.module.memory.grow(Math.ceil(missing / 65_536))
    return pointer
  }

  private coefficients({ first, count, weights }: ResampleCoefficients): [number, number, number] {
    const pointers: [number, number, number] = [
      this.allocate(first.byteLength),
      this.allocate(count.byteLength),
      this.allocate(weights.byteLength),
    ]
    const memory = new Int32Array(this.module.memory.buffer)
    memory.set(first, pointers[0] >> 2)
    memory.set(count, pointers[1] >> 2)
    memory.set(weights, pointers[2] >> 2)
    return pointers
  }

  /**
   * Horizontal pass of source rows [rowStart, rowEnd) into a stage in module memory; returns the
   * stage's address (rows of coefficients.first.length pixels). With `premultiply`, alpha is
   * multiplied into the colour of each copied chunk first (Pillow resizes RGBA as RGBa).
   */
  horizontal(
    data: Uint8Array,
    sourceRowBytes: number,
    rowStart: number,
    rowEnd: number,
    channels: number,
    coefficients: ResampleCoefficients,
    premultiply: boolean,
  ): number {
    const columns = coefficients.first.length
    const [first, count, weights] = this.coefficients(coefficients)
    const stage = this.allocate((rowEnd - rowStart) * columns * channels)
    const chunkRows = Math.max(1, Math.floor(chunkBytes / sourceRowBytes))
    const source = this.allocate(Math.min(chunkRows, rowEnd - rowStart) * sourceRowBytes + sourcePadding)
    for (let row = rowStart; row < rowEnd; row += chunkRows) {
      const rows = Math.min(chunkRows, rowEnd - row)
      new Uint8Array(this.module.memory.buffer).set(
        data.subarray(row * sourceRowBytes, (row + rows) * sourceRowBytes),
        source,
      )
      if (premultiply) this.module.premultiply(source, (rows * sourceRowBytes) / channels, channels)
      const output = stage + (row - rowStart) * columns * channels
      this.module.horizontal(
        source,
        sourceRowBytes,
        rows,
        channels,
        output,
        columns,
        first,
        count,
        weights,
        coefficients.stride,
      )
    }
    return stage
  }

  /** Copies `bytes` into module memory and returns their address. */
  copyIn(bytes: Uint8Array): number {
    const pointer = this.allocate(bytes.length)
    new Uint8Array(this.module.memory.buffer).set(bytes, pointer)
    return pointer
  }

  /** Vertical pass over a stage in module memory; returns a copy of the output rows. */
  vertical(
    stage: number,
    rowLength: number,
    stageRowStart: number,
    coefficients: ResampleCoefficients,
  ): Uint8Array {
    const height = coefficients.first.length
    const [first, count, weights] = this.coefficients(coefficients)
    const output = this.allocate(rowLength * height)
    this.module.vertical(
      stage,
      rowLength,
      height,
      stageRowStart,
      output,
      first,
      count,
      weights,
      coefficients.stride,
    )
    return new Uint8Array(this.module.memory.buffer, output, rowLength * height).slice()
  }

  /** A copy of `length` bytes at `pointer`. */
  read(pointer: number, length: number): Uint8Array {
    return new Uint8Array(this.module.memory.buffer, pointer, length).slice()
  }
}
