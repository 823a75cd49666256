// Real local HTTP servers and real image bytes for the image-fetch tests. Only 127.0.0.1.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { crc32, deflateSync } from 'node:zlib'

/** A valid RGB PNG of the given size (grey pixels), built from its chunks. */
export function pngBytes(width: number, height: number): Uint8Array {
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4)
    length.writeUInt32BE(data.length)
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data])
    const checksum = Buffer.alloc(4)
    checksum.writeUInt32BE(crc32(body))
    return Buffer.concat([length, body, checksum])
  }
  const header = Buffer.alloc(13)
  header.writeUInt32BE(width, 0)
  header.writeUInt32BE(height, 4)
  header.set([8, 2, 0, 0, 0], 8) // 8-bit, truecolour, deflate, no filter, no interlace
  const rows = Buffer.alloc(height * (1 + width * 3), 0x80)
  for (let row = 0; row < height; row++) rows[row * (1 + width * 3)] = 0 // filter type: none
  return new Uint8Array(
    Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      chunk('IHDR', header),
      chunk('IDAT', deflateSync(rows)),
      chunk('IEND', Buffer.alloc(0)),
    ]),
  )
}

export interface TestServer {
  url: string
  port: number
  /** TCP connections accepted so far. */
  connections: number
  requests: { path: string; host: string | undefined; userAgent: string | undefined }[]
  close(): Promise<void>
}

export type Handler = (request: IncomingMessage, response: ServerResponse) => void

export async function startServer(handler: Handler): Promise<TestServer> {
  const server: Server = createServer((request, response) => {
    state.requests.push({
      path: request.url ?? '',
      host: request.headers.host,
      userAgent: request.headers['user-agent'],
    })
    handler(request, response)
  })
  const state: TestServer = {
    url: '',
    port: 0,
    connections: 0,
    requests: [],
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
  server.on('connection', () => {
    state.connections++
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  state.port = (server.address() as AddressInfo).port
  state.url = `http://127.0.0.1:${state.port}`
  return state
}
