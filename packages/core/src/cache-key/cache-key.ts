// Exact cache keys that name what made the vector: the input (token ids after truncation, or image
// bytes), the model id and revision, the tower's weights fingerprint and numerics, and for images
// the preprocessing version. Stored rows are the tower's raw float32 output and no request option
// changes them (dimensions, normalization and encoding are derived per request), so none is hashed.
// Web Crypto, so it runs on every host.
import type { ModelSpec } from '../model-spec'
import type { TowerIdentity } from './tower-identity'

const encoder = new TextEncoder()

async function sha256Hex(parts: readonly Uint8Array[]): Promise<string> {
  const total = parts.reduce((sum, part) => sum + part.length, 0)
  const joined = new Uint8Array(total)
  let offset = 0
  for (const part of parts) {
    joined.set(part, offset)
    offset += part.length
  }
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', joined))
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('')
}

/** Whose vectors a key names: the served model, and the tower that computes this item. */
export interface KeyContext {
  spec: ModelSpec
  tower: TowerIdentity
}

function prefix({ spec, tower }: KeyContext, modality: 'text' | 'image'): Uint8Array {
  // NUL separators: no field can run into the next one.
  const fields = [`${spec.id}@${spec.revision}`, modality, tower.weights, tower.numerics]
  if (modality === 'image') fields.push(`preprocessing-${spec.image.preprocessingVersion}`)
  return encoder.encode(`${fields.join('\0')}\0`)
}

export async function textCacheKey(context: KeyContext, ids: readonly number[]): Promise<string> {
  const body = new Uint8Array(ids.length * 4)
  const view = new DataView(body.buffer)
  for (let index = 0; index < ids.length; index++) view.setUint32(index * 4, ids[index]!, true)
  return `t:${await sha256Hex([prefix(context, 'text'), body])}`
}

export async function imageCacheKey(context: KeyContext, bytes: Uint8Array): Promise<string> {
  return `i:${await sha256Hex([prefix(context, 'image'), bytes])}`
}

/** Hex sha256 of some bytes: a weights fingerprint for towers loaded from memory. */
export const sha256OfBytes = (bytes: Uint8Array): Promise<string> => sha256Hex([bytes])

export { sha256Hex }
