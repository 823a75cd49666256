// A real HTTP server speaking the gateway<->backend protocol, standing in for @edgeclip/gpu-backend
// until it lands. Texts run through the fixture text model on onnxruntime-node (so backend rows
// equal edge rows for the same ids); images are decoded with sharp and preprocessed by core, then
// projected to the model width (no vision fixture yet), so a bad image fails per item, as for real.
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  BACKEND_BATCH_PATH,
  BACKEND_RESPONSE_TYPE,
  type BackendIdentity,
  type BackendItemResult,
  decodeBackendRequest,
  EdgeclipError,
  encodeBackendResponse,
  type ModelSpec,
  preprocessImage,
  type TextTower,
} from '@edgeclip/core'
import { SharpImageDecoder } from '@edgeclip/core/node'

export interface ProtocolBackendOptions {
  spec: ModelSpec
  textTower: TextTower
  secret?: string
  /** Never answer batches (for gateway timeouts). */
  hang?: boolean
  /** What it says it computes with, in /readyz and every answer; default TEST_BACKEND_IDENTITY. */
  identity?: BackendIdentity
  /** Every request, /readyz included, waits for this: a container booting behind Modal's proxy. */
  booted?: Promise<void>
}

/** A stand-in's towers: not a file hash, but named apart from every edge tower's identity. */
export const TEST_BACKEND_IDENTITY: BackendIdentity = {
  text: { weights: '1'.repeat(64), numerics: 'fp32/test-protocol-backend' },
  image: { weights: '2'.repeat(64), numerics: 'fp32/test-protocol-backend' },
}

export interface ProtocolBackend {
  url: string
  batches: number[]
  close(): Promise<void>
}

async function readBody(request: IncomingMessage): Promise<Uint8Array> {
  const chunks: Buffer[] = []
  for await (const chunk of request) chunks.push(chunk as Buffer)
  return new Uint8Array(Buffer.concat(chunks))
}

/** Averages the preprocessed tensor into `dimensions` buckets: deterministic, image-dependent. */
function projectImage(tensor: Float32Array, dimensions: number): Float32Array {
  const vector = new Float32Array(dimensions)
  for (let index = 0; index < tensor.length; index++) vector[index % dimensions]! += tensor[index]!
  return vector
}

export async function startProtocolBackend(options: ProtocolBackendOptions): Promise<ProtocolBackend> {
  const decoder = new SharpImageDecoder()
  const batches: number[] = []
  const { spec } = options
  const identity = options.identity ?? TEST_BACKEND_IDENTITY
  const embed = async (frame: Uint8Array): Promise<BackendItemResult[]> => {
    const { items } = decodeBackendRequest(frame)
    batches.push(items.length)
    const texts = items.flatMap((item) => (item.kind === 'text' ? [item.ids] : []))
    const textRows = texts.length > 0 ? await options.textTower.embed(texts) : []
    let textCursor = 0
    return Promise.all(
      items.map(async (item): Promise<BackendItemResult> => {
        if (item.kind === 'text') return { ok: true, vector: textRows[textCursor++]! }
        try {
          const tensor = preprocessImage(await decoder.decode(item.bytes), spec.image)
          return { ok: true, vector: projectImage(tensor, spec.dimensions) }
        } catch (error) {
          if (!(error instanceof EdgeclipError)) throw error
          return { ok: false, status: error.status, code: error.code, message: error.message }
        }
      }),
    )
  }
  const server: Server = createServer(async (request, response) => {
    await options.booted
    if (request.url === '/readyz') {
      response
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ status: 'ok', identity }))
      return
    }
    if (request.method !== 'POST' || request.url !== BACKEND_BATCH_PATH) {
      response.writeHead(404).end()
      return
    }
    if (options.secret && request.headers.authorization !== `Bearer ${options.secret}`) {
      response.writeHead(401).end()
      return
    }
    const body = await readBody(request)
    if (options.hang) return
    try {
      const frame = encodeBackendResponse({ items: await embed(body), identity }, spec.dimensions)
      response.writeHead(200, { 'content-type': BACKEND_RESPONSE_TYPE }).end(frame)
    } catch (error) {
      response.writeHead(500).end(String(error))
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    batches,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
