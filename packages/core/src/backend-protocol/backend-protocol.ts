// Binary wire format between gateway and GPU backend: a JSON header plus raw bytes, so images
// travel without base64 and vectors as little-endian float32 rows.
//
// frame := magic "ECB1" | u32le headerLength | header (UTF-8 JSON, space-padded to 4-byte
//          alignment) | payload
// request payload:  image bytes, concatenated in item order
// response payload: one float32le row of `dimensions` per ok item, in item order
import { type BackendIdentity, parseBackendIdentity } from '../cache-key'
import { EdgeclipError } from '../errors'

export const BACKEND_REQUEST_TYPE = 'application/vnd.edgeclip.batch'
export const BACKEND_RESPONSE_TYPE = 'application/vnd.edgeclip.vectors'
export const BACKEND_BATCH_PATH = '/internal/v1/batch'

const MAGIC = [0x45, 0x43, 0x42, 0x31] // "ECB1"

export type BackendItem =
  /** Token ids with [CLS] and [SEP], already truncated by the gateway (they are the cache key). */
  { kind: 'text'; ids: readonly number[] } | { kind: 'image'; bytes: Uint8Array }

export type BackendItemResult =
  | { ok: true; vector: Float32Array }
  | { ok: false; status: number; code: string; message: string }

export interface BackendResult {
  items: BackendItemResult[]
  /** Stage durations in milliseconds, for server-timing. */
  timings?: Record<string, number>
  /**
   * The towers that computed these rows. The gateway stores the rows under these identities' keys,
   * so a backend redeployed with other weights or numerics never fills the old entries.
   */
  identity?: BackendIdentity
}

export interface BackendRequest {
  model: string
  /** The model revision the sender expects; absent from senders that predate it. */
  revision?: string
  items: BackendItem[]
}

type RequestHeader = {
  model: string
  revision?: string
  items: ({ kind: 'text'; ids: number[] } | { kind: 'image'; length: number })[]
}

type ResponseHeader = {
  dimensions: number
  items: ({ ok: true } | { ok: false; status: number; code: string; message: string })[]
  timings?: Record<string, number>
  identity?: BackendIdentity
}

const protocolError = (message: string) =>
  new EdgeclipError(`backend protocol: ${message}`, { status: 400, code: 'invalid_backend_frame' })

function writeFrame(header: unknown, payloadLength: number): { frame: Uint8Array; payloadOffset: number } {
  let json = JSON.stringify(header)
  const encoded = new TextEncoder().encode(json)
  const padding = (4 - ((8 + encoded.length) % 4)) % 4
  json += ' '.repeat(padding)
  const headerBytes = new TextEncoder().encode(json)
  const payloadOffset = 8 + headerBytes.length
  const frame = new Uint8Array(payloadOffset + payloadLength)
  frame.set(MAGIC, 0)
  new DataView(frame.buffer).setUint32(4, headerBytes.length, true)
  frame.set(headerBytes, 8)
  return { frame, payloadOffset }
}

function readFrame<T>(bytes: Uint8Array): { header: T; payload: Uint8Array } {
  if (bytes.length < 8 || MAGIC.some((value, index) => bytes[index] !== value)) {
    throw protocolError('missing ECB1 magic')
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const headerLength = view.getUint32(4, true)
  if (8 + headerLength > bytes.length) throw protocolError('header runs past the end of the frame')
  let header: T
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength))) as T
  } catch {
    throw protocolError('header is not JSON')
  }
  return { header, payload: bytes.subarray(8 + headerLength) }
}

export function encodeBackendRequest(request: BackendRequest): Uint8Array {
  const header: RequestHeader = {
    model: request.model,
    ...(request.revision === undefined ? {} : { revision: request.revision }),
    items: request.items.map((item) =>
      item.kind === 'text'
        ? { kind: 'text', ids: [...item.ids] }
        : { kind: 'image', length: item.bytes.length },
    ),
  }
  const payloadLength = request.items.reduce(
    (sum, item) => sum + (item.kind === 'image' ? item.bytes.length : 0),
    0,
  )
  const { frame, payloadOffset } = writeFrame(header, payloadLength)
  let offset = payloadOffset
  for (const item of request.items) {
    if (item.kind !== 'image') continue
    frame.set(item.bytes, offset)
    offset += item.bytes.length
  }
  return frame
}

export function decodeBackendRequest(bytes: Uint8Array): BackendRequest {
  const { header, payload } = readFrame<RequestHeader>(bytes)
  if (typeof header?.model !== 'string' || !Array.isArray(header.items))
    throw protocolError('bad request header')
  if (header.revision !== undefined && typeof header.revision !== 'string')
    throw protocolError('revision must be a string')
  let offset = 0
  const items = header.items.map((item): BackendItem => {
    if (item?.kind === 'text' && Array.isArray(item.ids) && item.ids.every(Number.isSafeInteger)) {
      return { kind: 'text', ids: item.ids }
    }
    if (item?.kind === 'image' && Number.isSafeInteger(item.length) && item.length >= 0) {
      if (offset + item.length > payload.length)
        throw protocolError('image bytes run past the end of the frame')
      const bytes = payload.slice(offset, offset + item.length)
      offset += item.length
      return { kind: 'image', bytes }
    }
    throw protocolError('bad item in request header')
  })
  if (offset !== payload.length) throw protocolError('trailing bytes after the last image')
  return {
    model: header.model,
    ...(header.revision === undefined ? {} : { revision: header.revision }),
    items,
  }
}

export function encodeBackendResponse(result: BackendResult, dimensions: number): Uint8Array {
  const header: ResponseHeader = {
    dimensions,
    items: result.items.map((item) =>
      item.ok ? { ok: true } : { ok: false, status: item.status, code: item.code, message: item.message },
    ),
    ...(result.timings ? { timings: result.timings } : {}),
    ...(result.identity ? { identity: result.identity } : {}),
  }
  const okRows = result.items.filter((item) => item.ok)
  const { frame, payloadOffset } = writeFrame(header, okRows.length * dimensions * 4)
  const view = new DataView(frame.buffer)
  let offset = payloadOffset
  for (const item of okRows) {
    if (item.vector.length !== dimensions)
      throw new Error(`row has ${item.vector.length} values, not ${dimensions}`)
    for (const value of item.vector) {
      view.setFloat32(offset, value, true)
      offset += 4
    }
  }
  return frame
}

/** Decodes a response and checks it answers exactly `expectedItems` items. */
export function decodeBackendResponse(
  bytes: Uint8Array,
  expectedItems: number,
): BackendResult & { dimensions: number } {
  const { header, payload } = readFrame<ResponseHeader>(bytes)
  if (!Number.isSafeInteger(header?.dimensions) || header.dimensions <= 0 || !Array.isArray(header.items)) {
    throw protocolError('bad response header')
  }
  if (header.items.length !== expectedItems) {
    throw protocolError(`answered ${header.items.length} items for ${expectedItems}`)
  }
  const { dimensions } = header
  const okCount = header.items.filter((item) => item?.ok === true).length
  if (payload.length !== okCount * dimensions * 4) {
    throw protocolError(`payload holds ${payload.length} bytes, expected ${okCount * dimensions * 4}`)
  }
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength)
  let row = 0
  const items = header.items.map((item): BackendItemResult => {
    if (item?.ok === true) {
      const vector = new Float32Array(dimensions)
      for (let index = 0; index < dimensions; index++)
        vector[index] = view.getFloat32((row * dimensions + index) * 4, true)
      row++
      return { ok: true, vector }
    }
    if (item && item.ok === false && Number.isSafeInteger(item.status)) {
      return { ok: false, status: item.status, code: String(item.code), message: String(item.message) }
    }
    throw protocolError('bad item in response header')
  })
  // A malformed identity is dropped, not trusted: the gateway then caches nothing from this answer.
  const identity = parseBackendIdentity(header.identity)
  return {
    dimensions,
    items,
    ...(header.timings ? { timings: header.timings } : {}),
    ...(identity ? { identity } : {}),
  }
}
