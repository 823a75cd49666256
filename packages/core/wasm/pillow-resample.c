// Pillow's 8-bit bicubic passes (libImaging/Resample.c, ImagingResampleHorizontal_8bpc and
// ImagingResampleVertical_8bpc) in WebAssembly SIMD, for the Node image workers. Same int32
// fixed-point sums as the C it mirrors, so the bytes are the same: integer addition is exact and
// associative here (no partial sum leaves int32: 8-bit samples, 22-bit weights, 2 bits headroom),
// so summing four taps per lane and the lanes afterwards gives Pillow's sum to the bit.
// Built by scripts/build-wasm.sh into src/image/pillow-resample-wasm-bytes.ts; see that script.
#include <stdint.h>
#include <wasm_simd128.h>

#define PRECISION_BITS (32 - 8 - 2)
#define EXPORT(name) __attribute__((export_name(name)))

static inline uint8_t clip8(int32_t accumulator) {
  int32_t value = accumulator >> PRECISION_BITS;
  return value < 0 ? 0 : value > 255 ? 255 : (uint8_t)value;
}

static inline int32_t lane_sum(v128_t v) {
  return wasm_i32x4_extract_lane(v, 0) + wasm_i32x4_extract_lane(v, 1) + wasm_i32x4_extract_lane(v, 2) +
         wasm_i32x4_extract_lane(v, 3);
}

// Byte k of each selected pixel into the low byte of an i32 lane, zeros elsewhere (index 16+ = 0).
#define PICK4(a, b, c, d) wasm_i8x16_make(a, 16, 16, 16, b, 16, 16, 16, c, 16, 16, 16, d, 16, 16, 16)

/*
 * Horizontal pass over `rows` rows: output pixel x of a row reads count[x] pixels from first[x]
 * with weights[x * stride ...]. `stride` is a multiple of 4 and weights past count are 0, so four
 * taps go at once; the source needs 64 readable bytes past its end (weight 0 meets them).
 */
EXPORT("horizontal")
void horizontal(const uint8_t *source, int32_t sourceRowBytes, int32_t rows, int32_t channels, uint8_t *output,
                int32_t outColumns, const int32_t *first, const int32_t *count, const int32_t *weights,
                int32_t stride) {
  const int32_t bias = 1 << (PRECISION_BITS - 1);
  const v128_t red = PICK4(0, 3, 6, 9), green = PICK4(1, 4, 7, 10), blue = PICK4(2, 5, 8, 11);
  const v128_t r4 = PICK4(0, 4, 8, 12), g4 = PICK4(1, 5, 9, 13), b4 = PICK4(2, 6, 10, 14), a4 = PICK4(3, 7, 11, 15);
  const v128_t grey = PICK4(0, 1, 2, 3);
  for (int32_t row = 0; row < rows; row++) {
    const uint8_t *line = source + row * sourceRowBytes;
    uint8_t *out = output + row * outColumns * channels;
    for (int32_t x = 0; x < outColumns; x++) {
      const uint8_t *p = line + first[x] * channels;
      const int32_t *w = weights + x * stride;
      const int32_t taps = count[x];
      if (channels == 3) {
        v128_t sr = wasm_i32x4_splat(0), sg = sr, sb = sr;
        for (int32_t k = 0; k < taps; k += 4) {
          v128_t pixels = wasm_v128_load(p + k * 3), wk = wasm_v128_load(w + k);
          sr = wasm_i32x4_add(sr, wasm_i32x4_mul(wasm_i8x16_swizzle(pixels, red), wk));
          sg = wasm_i32x4_add(sg, wasm_i32x4_mul(wasm_i8x16_swizzle(pixels, green), wk));
          sb = wasm_i32x4_add(sb, wasm_i32x4_mul(wasm_i8x16_swizzle(pixels, blue), wk));
        }
        out[0] = clip8(bias + lane_sum(sr));
        out[1] = clip8(bias + lane_sum(sg));
        out[2] = clip8(bias + lane_sum(sb));
        out += 3;
      } else if (channels == 4) {
        v128_t sr = wasm_i32x4_splat(0), sg = sr, sb = sr, sa = sr;
        for (int32_t k = 0; k < taps; k += 4) {
          v128_t pixels = wasm_v128_load(p + k * 4), wk = wasm_v128_load(w + k);
          sr = wasm_i32x4_add(sr, wasm_i32x4_mul(wasm_i8x16_swizzle(pixels, r4), wk));
          sg = wasm_i32x4_add(sg, wasm_i32x4_mul(wasm_i8x16_swizzle(pixels, g4), wk));
          sb = wasm_i32x4_add(sb, wasm_i32x4_mul(wasm_i8x16_swizzle(pixels, b4), wk));
          sa = wasm_i32x4_add(sa, wasm_i32x4_mul(wasm_i8x16_swizzle(pixels, a4), wk));
        }
        out[0] = clip8(bias + lane_sum(sr));
        out[1] = clip8(bias + lane_sum(sg));
        out[2] = clip8(bias + lane_sum(sb));
        out[3] = clip8(bias + lane_sum(sa));
        out += 4;
      } else if (channels == 1) {
        v128_t sum = wasm_i32x4_splat(0);
        for (int32_t k = 0; k < taps; k += 4) {
          v128_t pixels = wasm_v128_load32_zero(p + k);
          sum = wasm_i32x4_add(sum, wasm_i32x4_mul(wasm_i8x16_swizzle(pixels, grey), wasm_v128_load(w + k)));
        }
        out[0] = clip8(bias + lane_sum(sum));
        out += 1;
      } else {
        for (int32_t c = 0; c < channels; c++) {
          int32_t sum = bias;
          for (int32_t k = 0; k < taps; k++) sum += p[k * channels + c] * w[k];
          *out++ = clip8(sum);
        }
      }
    }
  }
}

/*
 * Vertical pass: output row r is the weighted sum of count[r] rows of `stage` from first[r]
 * (stage row 0 is source row stageRowStart), sixteen samples at a time. The saturating narrows
 * (int32 to int16 to uint8) clamp exactly as clip8 does after the shift.
 */
EXPORT("vertical")
void vertical(const uint8_t *stage, int32_t rowLength, int32_t height, int32_t stageRowStart, uint8_t *output,
              const int32_t *first, const int32_t *count, const int32_t *weights, int32_t stride) {
  const int32_t bias = 1 << (PRECISION_BITS - 1);
  for (int32_t row = 0; row < height; row++) {
    const uint8_t *base = stage + (first[row] - stageRowStart) * rowLength;
    const int32_t *w = weights + row * stride;
    const int32_t taps = count[row];
    uint8_t *out = output + row * rowLength;
    int32_t s = 0;
    for (; s + 16 <= rowLength; s += 16) {
      v128_t a0 = wasm_i32x4_splat(bias), a1 = a0, a2 = a0, a3 = a0;
      for (int32_t k = 0; k < taps; k++) {
        v128_t pixels = wasm_v128_load(base + k * rowLength + s), wk = wasm_i32x4_splat(w[k]);
        v128_t low = wasm_u16x8_extend_low_u8x16(pixels), high = wasm_u16x8_extend_high_u8x16(pixels);
        a0 = wasm_i32x4_add(a0, wasm_i32x4_mul(wasm_u32x4_extend_low_u16x8(low), wk));
        a1 = wasm_i32x4_add(a1, wasm_i32x4_mul(wasm_u32x4_extend_high_u16x8(low), wk));
        a2 = wasm_i32x4_add(a2, wasm_i32x4_mul(wasm_u32x4_extend_low_u16x8(high), wk));
        a3 = wasm_i32x4_add(a3, wasm_i32x4_mul(wasm_u32x4_extend_high_u16x8(high), wk));
      }
      v128_t n0 = wasm_i16x8_narrow_i32x4(wasm_i32x4_shr(a0, PRECISION_BITS), wasm_i32x4_shr(a1, PRECISION_BITS));
      v128_t n1 = wasm_i16x8_narrow_i32x4(wasm_i32x4_shr(a2, PRECISION_BITS), wasm_i32x4_shr(a3, PRECISION_BITS));
      wasm_v128_store(out + s, wasm_u8x16_narrow_i16x8(n0, n1));
    }
    for (; s < rowLength; s++) {
      int32_t sum = bias;
      for (int32_t k = 0; k < taps; k++) sum += base[k * rowLength + s] * w[k];
      out[s] = clip8(sum);
    }
  }
}

/*
 * In place, colour samples times alpha (alpha last), as Pillow's RGBA to RGBa conversion:
 * MULDIV255 rounds; opaque pixels stay as they are.
 */
EXPORT("premultiply")
void premultiply(uint8_t *pixels, int32_t count, int32_t channels) {
  for (int32_t index = 0; index < count; index++, pixels += channels) {
    const uint32_t alpha = pixels[channels - 1];
    if (alpha == 255) continue;
    for (int32_t c = 0; c < channels - 1; c++) {
      const uint32_t product = pixels[c] * alpha + 128;
      pixels[c] = (uint8_t)(((product >> 8) + product) >> 8);
    }
  }
}
