// The Node fetcher: DNS answers checked before connecting, connections pinned to the checked
// address. Traffic goes to 127.0.0.1 only; refused addresses are never connected to (spied).
import { Socket } from 'node:net'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { describeImageFetcherLimits, expectEdgeclipError } from './image-fetcher-contract.test-support'
import { pngBytes, startServer, type TestServer } from './image-server.test-support'
import { type HostResolver, NodeSafeImageFetcher } from './node'

describeImageFetcherLimits('NodeSafeImageFetcher', (options) => new NodeSafeImageFetcher(options))

describe('NodeSafeImageFetcher address checks', () => {
  let images: TestServer
  let other: TestServer
  let redirector: TestServer
  beforeAll(async () => {
    images = await startServer((_request, response) => response.writeHead(200).end(pngBytes(2, 2)))
    other = await startServer((_request, response) => response.writeHead(200).end(pngBytes(2, 2)))
    redirector = await startServer((request, response) => {
      const location = new URL(request.url ?? '/', 'http://x').searchParams.get('to') ?? '/'
      response.writeHead(302, { location }).end()
    })
  })
  afterAll(async () => {
    await Promise.all([images.close(), other.close(), redirector.close()])
  })
  afterEach(() => {
    vi.restoreAllMocks()
  })

  const resolverFor = (answers: Record<string, string[]>): HostResolver & { calls: string[] } => {
    const calls: string[] = []
    const resolver = async (hostname: string) => {
      calls.push(hostname)
      const addresses = answers[hostname]
      if (addresses === undefined)
        throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' })
      return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }))
    }
    return Object.assign(resolver, { calls })
  }

  it.each([
    ['private', ['10.0.0.1']],
    ['link-local metadata', ['169.254.169.254']],
    ['IPv4-mapped loopback', ['::ffff:127.0.0.1']],
    ['NAT64 private', ['64:ff9b::a00:1']],
    ['unique-local', ['fd00::1']],
    ['a mix of public and private', ['93.184.216.34', '10.0.0.1']],
  ])('refuses a host resolving to %s without opening a connection', async (_label, addresses) => {
    const connect = vi.spyOn(Socket.prototype, 'connect')
    const fetcher = new NodeSafeImageFetcher({ resolver: resolverFor({ 'images.example': addresses }) })
    await expectEdgeclipError(fetcher.fetch('http://images.example/cat.png'), 400, 'image_url_forbidden')
    expect(connect).not.toHaveBeenCalled()
  })

  it('connects to the address it checked, not to a fresh DNS answer (no rebinding window)', async () => {
    const resolver = resolverFor({ 'images.example': ['127.0.0.1'] })
    const fetcher = new NodeSafeImageFetcher({
      resolver,
      allowAddress: (address, port) => address === '127.0.0.1' && port === images.port,
    })
    const fetched = await fetcher.fetch(`http://images.example:${images.port}/cat.png`)
    expect(fetched.width).toBe(2)
    expect(resolver.calls).toEqual(['images.example'])
    expect(images.requests.at(-1)?.host).toBe(`images.example:${images.port}`)
  })

  it('allows exactly the addresses the injected policy allows', async () => {
    const fetcher = new NodeSafeImageFetcher({
      allowAddress: (address, port) => address === '127.0.0.1' && port === images.port,
    })
    expect((await fetcher.fetch(`${images.url}/a.png`)).height).toBe(2)
    const before = other.connections
    await expectEdgeclipError(fetcher.fetch(`${other.url}/a.png`), 400, 'image_url_forbidden')
    expect(other.connections).toBe(before)
  })

  it.each([
    (port: number) => `http://127.0.0.1:${port}/secret`,
    (port: number) => `http://[::ffff:127.0.0.1]:${port}/secret`,
    (port: number) => `http://localhost:${port}/secret`,
    () => 'http://internal.example/secret',
  ])('re-checks each redirect hop and refuses one to a non-public address (%#)', async (target) => {
    const connect = vi.spyOn(Socket.prototype, 'connect')
    const fetcher = new NodeSafeImageFetcher({
      resolver: resolverFor({ 'internal.example': ['10.1.2.3'] }),
      allowAddress: (address, port) => address === '127.0.0.1' && port === redirector.port,
    })
    const before = other.connections
    const url = `${redirector.url}/?to=${encodeURIComponent(target(other.port))}`
    await expectEdgeclipError(fetcher.fetch(url), 400, 'image_url_forbidden')
    expect(other.connections).toBe(before)
    expect(connect).toHaveBeenCalledTimes(1) // the redirector only
  })

  it('reports unknown hosts as a failed fetch', async () => {
    const fetcher = new NodeSafeImageFetcher({ resolver: resolverFor({}) })
    const error = await expectEdgeclipError(
      fetcher.fetch('http://nowhere.example/a.png'),
      422,
      'image_fetch_failed',
    )
    expect(error.message).toContain('ENOTFOUND')
  })
})
