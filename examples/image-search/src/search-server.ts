// The search page and its JSON API, over node:http: the page never talks to the gateway itself,
// so the API key (if any) stays on the server.
import { readFile } from 'node:fs/promises'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { extname, join } from 'node:path'
import { APIError, type EdgeClip } from '@edgeclip/sdk'
import { IMAGE_EXTENSIONS } from './index-folder'
import type { JsonVectorStore } from './vector-store'

export interface SearchServerOptions {
  client: EdgeClip
  store: JsonVectorStore
  /** The indexed folder, served under /images/ so the page can show results. */
  imageDirectory: string
  /** Results per search. */
  limit?: number
}

/** Uploaded example images larger than this are refused before they reach the gateway. */
const MAX_UPLOAD_BYTES = 20 * 1024 * 1024
const CONTENT_TYPES: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
}
const PAGE_PATH = new URL('../public/index.html', import.meta.url)

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
  }
}

export function createSearchServer(options: SearchServerOptions): Server {
  const limit = options.limit ?? 8
  const search = async (query: Float32Array) => ({ results: options.store.search(query, limit) })

  const routes = async (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://localhost')
    if (request.method === 'GET' && url.pathname === '/') {
      return send(response, 200, 'text/html; charset=utf-8', await readFile(PAGE_PATH))
    }
    if (request.method === 'GET' && url.pathname.startsWith('/images/')) {
      const name = decodeURIComponent(url.pathname.slice('/images/'.length))
      // Only file names listed in the index: no paths, so nothing outside the folder is served.
      if (
        !options.store.entries.some((entry) => entry.file === name) ||
        !IMAGE_EXTENSIONS.has(extname(name).toLowerCase())
      ) {
        throw new HttpError(404, 'no such image')
      }
      const type = CONTENT_TYPES[extname(name).toLowerCase()] ?? 'application/octet-stream'
      return send(response, 200, type, await readFile(join(options.imageDirectory, name)))
    }
    if (request.method === 'POST' && url.pathname === '/api/search/text') {
      const { query } = JSON.parse((await readBody(request)).toString('utf8') || '{}') as { query?: unknown }
      if (typeof query !== 'string' || query.trim() === '')
        throw new HttpError(400, 'send {"query": "some text"}')
      const { embeddings } = await options.client.embedText(query)
      return sendJSON(response, 200, await search(embeddings[0]!))
    }
    if (request.method === 'POST' && url.pathname === '/api/search/image') {
      const bytes = await readBody(request)
      if (bytes.length === 0) throw new HttpError(400, 'send the image bytes as the request body')
      const { embeddings } = await options.client.embedImage(new Uint8Array(bytes))
      return sendJSON(response, 200, await search(embeddings[0]!))
    }
    throw new HttpError(404, 'not found')
  }

  return createServer((request, response) => {
    routes(request, response).catch((error: unknown) => {
      // The gateway's 4xx (a file that is not an image, say) is the user's mistake: pass it on.
      const status =
        error instanceof HttpError
          ? error.status
          : error instanceof APIError && error.status !== undefined && error.status < 500
            ? error.status
            : 502
      sendJSON(response, status, { error: (error as Error).message })
    })
  })
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of request) {
    size += (chunk as Buffer).length
    if (size > MAX_UPLOAD_BYTES) throw new HttpError(413, `uploads are limited to ${MAX_UPLOAD_BYTES} bytes`)
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks)
}

function send(response: ServerResponse, status: number, type: string, body: Buffer | string): void {
  response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' }).end(body)
}

function sendJSON(response: ServerResponse, status: number, body: unknown): void {
  send(response, status, 'application/json', JSON.stringify(body))
}
