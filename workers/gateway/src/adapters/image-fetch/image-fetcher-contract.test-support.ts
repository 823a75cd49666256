// The limits every image fetcher enforces, run against the fetch-based (Workers) and the Node
// fetcher alike, with real local servers (allowPrivate: the servers are on 127.0.0.1).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ImageFetcher } from '../../ports'
import { expectEdgeclipError } from '../testing/expect-edgeclip-error'
import { pngBytes, startServer, type TestServer } from './image-server.test-support'
import type { SafeImageFetcherOptions } from './safe-image-fetcher'

type MakeFetcher = (options: Omit<SafeImageFetcherOptions, 'hop' | 'fetch'>) => ImageFetcher

export function describeImageFetcherLimits(name: string, makeFetcher: MakeFetcher): void {
  describe(`${name} limits`, () => {
    const image = pngBytes(4, 3)
    let server: TestServer
    const drips: NodeJS.Timeout[] = []

    beforeAll(async () => {
      server = await startServer((request, response) => {
        const path = request.url ?? '/'
        const hops = /^\/hops\/(\d+)$/.exec(path)
        if (hops) {
          const left = Number(hops[1])
          if (left === 0) response.writeHead(200, { 'content-type': 'image/png' }).end(image)
          else response.writeHead(302, { location: `/hops/${left - 1}` }).end()
          return
        }
        switch (path) {
          case '/lying-type':
            response.writeHead(200, { 'content-type': 'text/plain' }).end(image)
            return
          case '/html':
            response.writeHead(200, { 'content-type': 'image/png' }).end('<html>not an image</html>')
            return
          case '/svg':
            response.writeHead(200, { 'content-type': 'image/svg+xml' }).end('<svg width="10" height="10"/>')
            return
          case '/large-declared':
            response.writeHead(200, { 'content-length': String(200_000) }).end(Buffer.alloc(200_000))
            return
          case '/large-chunked': {
            response.writeHead(200, { 'content-type': 'image/png' })
            response.write(image)
            for (let index = 0; index < 20; index++) response.write(Buffer.alloc(10_000))
            response.end()
            return
          }
          case '/many-pixels':
            response.writeHead(200).end(pngBytes(40, 30))
            return
          case '/drip': {
            response.writeHead(200, { 'content-type': 'image/png' })
            const drip = setInterval(() => response.write(Buffer.alloc(1)), 20)
            drips.push(drip)
            response.on('close', () => clearInterval(drip))
            return
          }
          case '/no-headers':
            return // never answers
          case '/missing':
            response.writeHead(404).end('gone')
            return
          default:
            response.writeHead(500).end()
        }
      })
    })
    afterAll(async () => {
      for (const drip of drips) clearInterval(drip)
      await server.close()
    })

    const fetcher = (options: Omit<SafeImageFetcherOptions, 'hop' | 'fetch'> = {}) =>
      makeFetcher({ allowPrivate: true, ...options })

    it('returns the bytes with type and size read from them, whatever the content-type says', async () => {
      const fetched = await fetcher().fetch(`${server.url}/lying-type`)
      expect(fetched).toEqual({ bytes: image, mimeType: 'image/png', width: 4, height: 3 })
      expect(server.requests.at(-1)?.userAgent).toMatch(/^edgeclip-image-fetcher\//)
    })

    it('refuses bytes that are not an image even when labelled image/png', async () => {
      await expectEdgeclipError(fetcher().fetch(`${server.url}/html`), 422, 'unsupported_image')
    })

    it('refuses recognised formats the backend does not decode', async () => {
      await expectEdgeclipError(fetcher().fetch(`${server.url}/svg`), 415, 'unsupported_image_type')
    })

    it('refuses a declared body over maxBytes and a streamed one past it', async () => {
      await expectEdgeclipError(
        fetcher({ maxBytes: 100_000 }).fetch(`${server.url}/large-declared`),
        413,
        'image_too_large',
      )
      await expectEdgeclipError(
        fetcher({ maxBytes: 100_000 }).fetch(`${server.url}/large-chunked`),
        413,
        'image_too_large',
      )
    })

    it('refuses images with more pixels than maxPixels', async () => {
      const error = await expectEdgeclipError(
        fetcher({ maxPixels: 1_000 }).fetch(`${server.url}/many-pixels`),
        413,
        'image_too_large',
      )
      expect(error.message).toContain('40x30')
    })

    it('gives up on a slow-drip body and on a server that never answers, at the deadline', async () => {
      await expectEdgeclipError(
        fetcher({ timeoutMs: 300 }).fetch(`${server.url}/drip`),
        422,
        'image_fetch_timeout',
      )
      await expectEdgeclipError(
        fetcher({ timeoutMs: 300 }).fetch(`${server.url}/no-headers`),
        422,
        'image_fetch_timeout',
      )
    })

    it('follows up to maxRedirects redirects and no more', async () => {
      expect((await fetcher({ maxRedirects: 3 }).fetch(`${server.url}/hops/3`)).width).toBe(4)
      await expectEdgeclipError(
        fetcher({ maxRedirects: 3 }).fetch(`${server.url}/hops/4`),
        422,
        'image_too_many_redirects',
      )
    })

    it('reports upstream errors and unreachable hosts as 422', async () => {
      await expectEdgeclipError(fetcher().fetch(`${server.url}/missing`), 422, 'image_fetch_failed')
      const closed = await startServer(() => {})
      await closed.close()
      await expectEdgeclipError(fetcher().fetch(`${closed.url}/gone`), 422, 'image_fetch_failed')
    })

    it('refuses URLs that are not http(s) or carry credentials', async () => {
      for (const url of [
        'file:///etc/passwd',
        'ftp://example.com/a.png',
        'data:image/png;base64,AAAA',
        'not a url',
      ]) {
        await expectEdgeclipError(fetcher().fetch(url), 400, 'invalid_image_url')
      }
      await expectEdgeclipError(
        fetcher().fetch(`http://user:secret@127.0.0.1:${server.port}/x`),
        400,
        'invalid_image_url',
      )
    })

    it("stops when the caller's signal aborts, with the caller's reason", async () => {
      const controller = new AbortController()
      const pending = fetcher().fetch(`${server.url}/no-headers`, { signal: controller.signal })
      const reason = new Error('client went away')
      setTimeout(() => controller.abort(reason), 50)
      await expect(pending).rejects.toBe(reason)
    })
  })
}

export { expectEdgeclipError }
