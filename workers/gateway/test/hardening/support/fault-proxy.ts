// An HTTP proxy in front of the real GPU backend that can misbehave on command, so the gateway
// meets each backend fault over a real socket: garbage bodies, wrong row counts, a connection
// dropped mid-batch (a restart), a backend that never answers.
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  BACKEND_BATCH_PATH,
  decodeBackendRequest,
  decodeBackendResponse,
  encodeBackendResponse,
} from '@edgeclip/core'

export type Fault = 'none' | 'garbage' | 'drop-row' | 'reset-once' | 'hang' | 'http-500'

export interface FaultProxy {
  url: string
  fault: Fault
  /** Where healthy traffic goes; tests re-point it after restarting the backend. */
  target: string
  batchCalls: number
  close(): Promise<void>
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of request) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

export async function startFaultProxy(target: string, dimensions: number): Promise<FaultProxy> {
  const state: FaultProxy = {
    url: '',
    fault: 'none',
    target,
    batchCalls: 0,
    close: async () => {},
  }
  const server: Server = createServer(async (request, response) => {
    const body = await readBody(request)
    const isBatch = request.url === BACKEND_BATCH_PATH
    if (isBatch) state.batchCalls++
    if (isBatch && state.fault === 'hang') return
    if (isBatch && state.fault === 'reset-once') {
      state.fault = 'none'
      request.socket.destroy()
      return
    }
    if (isBatch && state.fault === 'garbage') {
      response.writeHead(200, { 'content-type': 'application/octet-stream' }).end(Buffer.from('not a frame'))
      return
    }
    if (isBatch && state.fault === 'http-500') {
      response.writeHead(500, { 'content-type': 'text/plain' }).end('internal explosion')
      return
    }
    let upstream: Response
    try {
      upstream = await fetch(`${state.target}${request.url}`, {
        method: request.method ?? 'GET',
        headers: Object.fromEntries(
          Object.entries(request.headers).filter(
            (entry): entry is [string, string] => typeof entry[1] === 'string' && entry[0] !== 'host',
          ),
        ),
        ...(request.method === 'POST' ? { body: new Uint8Array(body) } : {}),
      })
    } catch {
      request.socket.destroy()
      return
    }
    let payload = Buffer.from(await upstream.arrayBuffer())
    if (isBatch && state.fault === 'drop-row' && upstream.ok) {
      const { items } = decodeBackendRequest(new Uint8Array(body))
      const decoded = decodeBackendResponse(new Uint8Array(payload), items.length)
      payload = Buffer.from(encodeBackendResponse({ items: decoded.items.slice(1) }, dimensions))
    }
    response.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? '' })
    response.end(payload)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  state.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    })
  return state
}
