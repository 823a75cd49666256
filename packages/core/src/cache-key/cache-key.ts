// Exact cache keys: a text vector is a function of its token ids (after truncation), an image
// vector of its bytes, both under one model revision. Web Crypto, so it runs on every host.
import type { ModelSpec } from '../model-spec'

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

function prefix(spec: ModelSpec, modality: 'text' | 'image'): Uint8Array {
  // NUL separators: no model id, revision or modality can run into the next field.
  return encoder.encode(`${spec.id}@${spec.revision}\0${modality}\0`)
}

export async function textCacheKey(spec: ModelSpec, ids: readonly number[]): Promise<string> {
  const body = new Uint8Array(ids.length * 4)
  const view = new DataView(body.buffer)
  for (let index = 0; index < ids.length; index++) view.setUint32(index * 4, ids[index]!, true)
  return `t:${await sha256Hex([prefix(spec, 'text'), body])}`
}

export async function imageCacheKey(spec: ModelSpec, bytes: Uint8Array): Promise<string> {
  return `i:${await sha256Hex([prefix(spec, 'image'), bytes])}`
}

export { sha256Hex }
