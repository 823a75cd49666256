// Test-only: a real HTTP server shaped like the Hugging Face hub's `resolve` URLs, with faults on demand.
import { once } from 'node:events'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface HubFileBehaviour {
  /** Destroy the socket after this many body bytes, for the first `dropTimes` requests. */
  dropAfterBytes?: number
  dropTimes?: number
  /** Send this many body bytes, then nothing more (the socket stays open), on the first request. */
  stallAfterBytes?: number
  /** Answer 200 with the whole file even to a Range request. */
  ignoreRange?: boolean
  /** Answer like the hub for an LFS file: 302 to /cdn/… with these X-Linked-Etag/X-Linked-Size headers. */
  lfs?: { sha256: string; size: number }
}

export interface HubRequest {
  path: string
  range: string | undefined
}

export interface HubServer {
  endpoint: string
  requests: HubRequest[]
  close(): Promise<void>
}

const cdnPrefix = '/cdn'
/** How long a dropped response stays open after its last bytes were written. */
const dropDelayMs = 300

export async function startHubServer(
  files: ReadonlyMap<string, Uint8Array>,
  behaviours: Record<string, HubFileBehaviour> = {},
): Promise<HubServer> {
  const requests: HubRequest[] = []
  const drops = new Map<string, number>()
  const stalled = new Set<string>()
  const server: Server = createServer((request, response) => {
    const requestPath = decodeURIComponent(new URL(request.url ?? '/', 'http://hub').pathname)
    const range = request.headers.range
    requests.push({ path: requestPath, range })
    const fromCdn = requestPath.startsWith(cdnPrefix)
    const path = fromCdn ? requestPath.slice(cdnPrefix.length) : requestPath
    const lfs = behaviours[path]?.lfs
    if (lfs !== undefined && !fromCdn) {
      response
        .writeHead(302, {
          location: `${cdnPrefix}${path}?signature=abc`,
          'x-linked-etag': `"${lfs.sha256}"`,
          'x-linked-size': String(lfs.size),
        })
        .end()
      return
    }
    const body = files.get(path)
    if (body === undefined) {
      response.writeHead(404).end('Entry not found')
      return
    }
    const behaviour = behaviours[path] ?? {}
    const match = /^bytes=(\d+)-$/.exec(range ?? '')
    let start = 0
    if (match !== null && !behaviour.ignoreRange) {
      start = Number(match[1])
      if (start >= body.length) {
        response.writeHead(416, { 'content-range': `bytes */${body.length}` }).end()
        return
      }
      response.writeHead(206, {
        'content-length': body.length - start,
        'content-range': `bytes ${start}-${body.length - 1}/${body.length}`,
      })
    } else {
      response.writeHead(200, { 'content-length': body.length, 'accept-ranges': 'bytes' })
    }
    if (behaviour.stallAfterBytes !== undefined && !stalled.has(path)) {
      stalled.add(path)
      response.write(body.subarray(start, start + behaviour.stallAfterBytes))
      return
    }
    const dropped = drops.get(path) ?? 0
    if (behaviour.dropAfterBytes !== undefined && dropped < (behaviour.dropTimes ?? 1)) {
      drops.set(path, dropped + 1)
      // Cut the socket only after the client has had time to read the bytes: a reset that lands
      // first makes fetch's body stream error and drop the chunks it has queued (so no progress).
      response.write(body.subarray(start, start + behaviour.dropAfterBytes), () => {
        setTimeout(() => response.destroy(), dropDelayMs)
      })
      return
    }
    response.end(body.subarray(start))
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    close: async () => {
      server.closeAllConnections()
      server.close()
      await once(server, 'close')
    },
  }
}

/** A port with nothing listening on it. */
export async function closedPort(): Promise<number> {
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  server.close()
  await once(server, 'close')
  return port
}
