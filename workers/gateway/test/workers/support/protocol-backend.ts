// A real HTTP server speaking the gateway<->backend protocol, for the workerd tests (Node side).
// Texts run through the fixture text model on onnxruntime-node, so a vector the gateway got from
// the backend equals what the edge tower would give for the same ids; images get `imageVector`.
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { basename, join } from 'node:path'
import {
  BACKEND_BATCH_PATH,
  BACKEND_RESPONSE_TYPE,
  type BackendIdentity,
  type BackendItem,
  type BackendItemResult,
  decodeBackendRequest,
  encodeBackendResponse,
} from '@edgeclip/core'
import * as ort from 'onnxruntime-node'
import { BATCHES_PATH, FILES_PATH, imageVector, type ReceivedBatch } from './shared'

export interface ProtocolBackend {
  url: string
  close(): Promise<void>
}

async function readBody(request: IncomingMessage): Promise<Uint8Array> {
  const chunks: Buffer[] = []
  for await (const chunk of request) chunks.push(chunk as Buffer)
  return new Uint8Array(Buffer.concat(chunks))
}

export async function startProtocolBackend(options: {
  textModel: Uint8Array
  dimensions: number
  padId: number
  /** Served under FILES_PATH, so tests inside workerd can copy them into R2. */
  filesDir?: string
}): Promise<ProtocolBackend> {
  const session = await ort.InferenceSession.create(options.textModel)
  // Named as gpu-backend names its towers: the loaded file's sha256 and the runtime that runs it.
  const numerics = 'fp32/onnxruntime-node-cpu'
  const identity: BackendIdentity = {
    text: { weights: createHash('sha256').update(options.textModel).digest('hex'), numerics },
    image: { weights: createHash('sha256').update('imageVector').digest('hex'), numerics },
  }
  const [inputName] = session.inputNames
  const [outputName] = session.outputNames
  const embedTexts = async (batch: readonly (readonly number[])[]) => {
    const length = Math.max(...batch.map((ids) => ids.length))
    const data = new BigInt64Array(batch.length * length).fill(BigInt(options.padId))
    batch.forEach((ids, row) => {
      ids.forEach((id, column) => {
        data[row * length + column] = BigInt(id)
      })
    })
    const outputs = await session.run({ [inputName!]: new ort.Tensor('int64', data, [batch.length, length]) })
    const values = outputs[outputName!]!.data as Float32Array
    return batch.map((_, row) => values.slice(row * options.dimensions, (row + 1) * options.dimensions))
  }
  const batches: ReceivedBatch[] = []
  const answer = async (items: readonly BackendItem[]): Promise<BackendItemResult[]> => {
    const texts = items.flatMap((item) => (item.kind === 'text' ? [item.ids] : []))
    const textVectors = texts.length > 0 ? await embedTexts(texts) : []
    let textIndex = 0
    return Promise.all(
      items.map(async (item) => ({
        ok: true as const,
        vector:
          item.kind === 'text'
            ? textVectors[textIndex++]!
            : await imageVector(item.bytes, options.dimensions),
      })),
    )
  }
  const server: Server = createServer(async (request, response) => {
    // Its session is created before it listens, so it is ready as soon as it answers.
    if (request.method === 'GET' && request.url === '/readyz') {
      response
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ status: 'ok', identity }))
      return
    }
    if (request.method === 'GET' && request.url === BATCHES_PATH) {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(batches))
      return
    }
    if (request.method === 'GET' && options.filesDir && request.url?.startsWith(FILES_PATH)) {
      const file = await readFile(join(options.filesDir, basename(request.url))).catch(() => undefined)
      if (file) response.writeHead(200).end(file)
      else response.writeHead(404).end()
      return
    }
    if (request.method !== 'POST' || request.url !== BACKEND_BATCH_PATH) {
      response.writeHead(404).end()
      return
    }
    try {
      const batch = decodeBackendRequest(await readBody(request))
      batches.push({
        authorization: request.headers.authorization ?? null,
        items: batch.items.map((item) => (item.kind === 'text' ? item.ids : `image:${item.bytes.length}`)),
      })
      const body = encodeBackendResponse({ items: await answer(batch.items), identity }, options.dimensions)
      response.writeHead(200, { 'content-type': BACKEND_RESPONSE_TYPE }).end(body)
    } catch (error) {
      response.writeHead(400, { 'content-type': 'text/plain' }).end(String(error))
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      )
      await session.release()
    },
  }
}
