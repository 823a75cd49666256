// The fetch-based fetcher (Workers): limits with real local servers through the runtime's fetch,
// and the literal-host checks that are all it can do without DNS.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { SafeImageFetcher } from '.'
import { describeImageFetcherLimits, expectEdgeclipError } from './image-fetcher-contract.test-support'
import { startServer, type TestServer } from './image-server.test-support'

describeImageFetcherLimits('SafeImageFetcher (fetch)', (options) => new SafeImageFetcher(options))

describe('SafeImageFetcher (fetch) address checks', () => {
  let target: TestServer
  let redirector: TestServer
  beforeAll(async () => {
    target = await startServer((_request, response) => response.writeHead(200).end('reached'))
    redirector = await startServer((request, response) => {
      const location = new URL(request.url ?? '/', 'http://x').searchParams.get('to') ?? '/'
      response.writeHead(302, { location }).end()
    })
  })
  afterAll(async () => {
    await target.close()
    await redirector.close()
  })

  it.each([
    (port: number) => `http://127.0.0.1:${port}/a.png`,
    (port: number) => `http://2130706433:${port}/a.png`,
    (port: number) => `http://0x7f.1:${port}/a.png`,
    (port: number) => `http://[::1]:${port}/a.png`,
    (port: number) => `http://[::ffff:127.0.0.1]:${port}/a.png`,
    (port: number) => `http://localhost:${port}/a.png`,
    (port: number) => `http://images.localhost:${port}/a.png`,
  ])('refuses loopback literals and names before fetching (%#)', async (url) => {
    const fetchSpy = vi.fn(globalThis.fetch)
    const fetcher = new SafeImageFetcher({ fetch: fetchSpy })
    await expectEdgeclipError(fetcher.fetch(url(target.port)), 400, 'image_url_forbidden')
    expect(fetchSpy).not.toHaveBeenCalled()
    expect(target.connections).toBe(0)
  })

  it('re-checks every redirect hop: a redirect to loopback is refused without contacting it', async () => {
    const fetcher = new SafeImageFetcher({ allowAddress: (_address, port) => port === redirector.port })
    const url = `${redirector.url}/?to=${encodeURIComponent(`http://127.0.0.1:${target.port}/secret`)}`
    await expectEdgeclipError(fetcher.fetch(url), 400, 'image_url_forbidden')
    expect(redirector.requests).toHaveLength(1)
    expect(target.connections).toBe(0)
  })
})
