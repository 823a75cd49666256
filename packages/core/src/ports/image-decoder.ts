// Decoding compressed images to pixels. On Node: sharp (`@edgeclip/core/node`).

/** Pillow's modes; CMYK as Pillow opens CMYK JPEGs (ink amounts, Adobe inversion undone). */
export type PixelMode = 'L' | 'LA' | 'RGB' | 'RGBA' | 'CMYK' | 'P'

/** Decoded pixels, row-major, interleaved channels. */
export interface DecodedImage {
  width: number
  height: number
  mode: PixelMode
  /** 8-bit samples: width*height*channels bytes; for mode P, one palette index per pixel. */
  data: Uint8Array
  /** For mode P: RGB (or RGBA when it has 4 per entry) palette entries, packed. */
  palette?: Uint8Array
  paletteChannels?: 3 | 4
}

export interface ImageDecoder {
  /** Throws an `EdgeclipError` with a 4xx status for bytes that are not a supported image. */
  decode(bytes: Uint8Array): Promise<DecodedImage>
}
