// A real HTTP server speaking the backend protocol, with switchable misbehaviour, for HttpBackend
// tests. Vectors are a deterministic function of the item so tests can check order.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import {
  BACKEND_BATCH_PATH,
  BACKEND_RESPONSE_TYPE,
  type BackendIdentity,
  type BackendItem,
  type BackendItemResult,
  decodeBackendRequest,
  encodeBackendResponse,
} from '@edgeclip/core'

export const TEST_DIMENSIONS = 4

export function expectedVector(item: BackendItem): Float32Array {
  const seed = item.kind === 'text' ? item.ids.reduce((sum, id) => sum + id, 0) : item.bytes.length + 0.5
  return Float32Array.from({ length: TEST_DIMENSIONS }, (_, index) => seed + index)
}

export function answer(items: readonly BackendItem[]): BackendItemResult[] {
  return items.map((item) =>
    item.kind === 'image' && item.bytes.length === 0
      ? { ok: false, status: 422, code: 'invalid_image', message: 'empty image' }
      : { ok: true, vector: expectedVector(item) },
  )
}

export type Mode =
  | 'good'
  | 'garbage'
  | 'wrong-rows'
  | 'hang'
  | 'error-500'
  | 'unauthorized'
  | 'overloaded'
  | 'reset-first-connection'

export interface BackendServer {
  url: string
  mode: Mode
  batches: { headers: IncomingMessage['headers']; path: string; body: Uint8Array }[]
  connections: number
  ready: boolean
  /** What /readyz and every answer say the backend computes with. */
  identity: BackendIdentity
  readyzHits: number
  close(): Promise<void>
}

export const TEST_IDENTITY: BackendIdentity = {
  text: { weights: 'a'.repeat(64), numerics: 'fp32/onnxruntime-node-cpu' },
}

export async function startBackendServer(mode: Mode = 'good'): Promise<BackendServer> {
  const sockets = new Set<Socket>()
  const state: BackendServer = {
    url: '',
    mode,
    batches: [],
    connections: 0,
    ready: true,
    identity: TEST_IDENTITY,
    readyzHits: 0,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
  const server = createServer(async (request, response) => {
    if (request.url === '/readyz') {
      state.readyzHits++
      if (state.ready)
        response.writeHead(200).end(JSON.stringify({ status: 'ready', identity: state.identity }))
      else response.writeHead(503).end()
      return
    }
    const chunks: Buffer[] = []
    for await (const chunk of request) chunks.push(chunk as Buffer)
    const body = new Uint8Array(Buffer.concat(chunks))
    state.batches.push({ headers: request.headers, path: request.url ?? '', body })
    respond(state.mode, body, response, state.identity)
  })
  server.on('connection', (socket) => {
    state.connections++
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    if (state.mode === 'reset-first-connection' && state.connections === 1) socket.destroy()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return state
}

function respond(mode: Mode, body: Uint8Array, response: ServerResponse, identity: BackendIdentity): void {
  const request = decodeBackendRequest(body)
  const send = (items: BackendItemResult[]): void => {
    response
      .writeHead(200, { 'content-type': BACKEND_RESPONSE_TYPE })
      .end(encodeBackendResponse({ items, timings: { inference: 1.5 }, identity }, TEST_DIMENSIONS))
  }
  switch (mode) {
    case 'good':
    case 'reset-first-connection':
      send(answer(request.items))
      return
    case 'wrong-rows':
      send(answer(request.items).slice(1))
      return
    case 'garbage':
      response.writeHead(200, { 'content-type': BACKEND_RESPONSE_TYPE }).end('<html>proxy error</html>')
      return
    case 'hang':
      return
    case 'error-500':
      response.writeHead(500).end(JSON.stringify({ error: { message: 'CUDA out of memory' } }))
      return
    case 'unauthorized':
      response.writeHead(401).end(JSON.stringify({ error: { message: 'bad secret' } }))
      return
    case 'overloaded':
      response.writeHead(503, { 'retry-after': '7' }).end()
      return
  }
}

export { BACKEND_BATCH_PATH }
