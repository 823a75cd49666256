// Bounds-checked reads over untrusted bytes: past the end is undefined, never an exception.

/** Big- and little-endian readers that answer undefined past the end instead of throwing. */
export class ByteReader {
  constructor(readonly bytes: Uint8Array) {}
  get length(): number {
    return this.bytes.length
  }
  u8(offset: number): number | undefined {
    return offset >= 0 && offset < this.bytes.length ? this.bytes[offset] : undefined
  }
  u16(offset: number, littleEndian = false): number | undefined {
    if (offset < 0 || offset + 2 > this.bytes.length) return undefined
    const [first, second] = [this.bytes[offset] as number, this.bytes[offset + 1] as number]
    return littleEndian ? first | (second << 8) : (first << 8) | second
  }
  u24le(offset: number): number | undefined {
    const low = this.u16(offset, true)
    const high = this.u8(offset + 2)
    return low === undefined || high === undefined ? undefined : low + high * 0x10000
  }
  u32(offset: number, littleEndian = false): number | undefined {
    const first = this.u16(offset, littleEndian)
    const second = this.u16(offset + 2, littleEndian)
    if (first === undefined || second === undefined) return undefined
    return littleEndian ? first + second * 0x10000 : first * 0x10000 + second
  }
  ascii(offset: number, length: number): string {
    if (offset < 0 || offset + length > this.bytes.length) return ''
    return String.fromCharCode(...this.bytes.subarray(offset, offset + length))
  }
}
