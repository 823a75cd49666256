// The Node image fetcher: every hop's host is resolved here, every address DNS returns is checked,
// and the connection is pinned to the checked address through the socket's `lookup`, so a DNS
// answer that changes between check and connect (rebinding) cannot reach a private address.
import { lookup } from 'node:dns/promises'
import { request as httpRequest, type IncomingMessage } from 'node:http'
import { request as httpsRequest } from 'node:https'
import type { LookupFunction } from 'node:net'
import { type AddressGuard, createAddressGuard, defaultPort, unbracket } from './address-guard'
import { isIpLiteral } from './address-policy'
import { imageFetchErrors } from './image-fetch-errors'
import { IMAGE_FETCH_HEADERS, type ImageHop } from './image-hop'
import { SafeImageFetcher, type SafeImageFetcherOptions } from './safe-image-fetcher'

export interface ResolvedAddress {
  address: string
  family: number
}

export type HostResolver = (hostname: string) => Promise<ResolvedAddress[]>

export const systemResolver: HostResolver = (hostname) => lookup(hostname, { all: true, verbatim: true })

export interface NodeSafeImageFetcherOptions extends Omit<SafeImageFetcherOptions, 'hop' | 'fetch'> {
  resolver?: HostResolver
  /** Trusted CA certificates for https hosts, replacing Node's root store (private CAs, tests). */
  ca?: string | Uint8Array
}

export class NodeSafeImageFetcher extends SafeImageFetcher {
  constructor(options: NodeSafeImageFetcherOptions = {}) {
    const guard = createAddressGuard(options)
    super({ ...options, hop: pinnedHttpHop(options.resolver ?? systemResolver, guard, options.ca) })
  }
}

function pinnedHttpHop(
  resolver: HostResolver,
  guard: AddressGuard,
  ca: string | Uint8Array | undefined,
): ImageHop {
  return async (url, signal) => {
    const pinned = await checkedAddress(url, resolver, guard, signal)
    const pinnedLookup: LookupFunction = (_hostname, options, callback) => {
      if (options.all) callback(null, [pinned])
      else callback(null, pinned.address, pinned.family)
    }
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest
    // No keep-alive agent: a pooled socket would skip the check for this hop.
    const request = send(url, {
      method: 'GET',
      headers: IMAGE_FETCH_HEADERS,
      lookup: pinnedLookup,
      signal,
      agent: false,
      // TLS still verifies the certificate against the URL's host name (SNI), not the pinned IP.
      ...(ca === undefined ? {} : { ca: typeof ca === 'string' ? ca : Buffer.from(ca) }),
    })
    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      request.once('response', resolve)
      request.once('error', reject)
      request.end()
    })
    const length = response.headers['content-length']
    return {
      status: response.statusCode ?? 0,
      location: response.headers.location ?? null,
      contentLength: length === undefined ? undefined : Number(length),
      body: response,
      discard: () => response.destroy(),
    }
  }
}

async function checkedAddress(
  url: URL,
  resolver: HostResolver,
  guard: AddressGuard,
  signal: AbortSignal,
): Promise<ResolvedAddress> {
  const host = unbracket(url.hostname)
  const port = defaultPort(url)
  const addresses = isIpLiteral(host)
    ? [{ address: host, family: host.includes(':') ? 6 : 4 }]
    : await abortable(resolver(host), signal)
  if (addresses.length === 0) throw imageFetchErrors.unreachable(new Error(`${host} has no addresses`))
  // All of them, not just the first: refusing a host that mixes public and private answers
  // leaves no address-choice games to play.
  for (const { address } of addresses) {
    const reason = guard(address, port)
    if (reason !== undefined) throw imageFetchErrors.forbiddenAddress(host, reason)
  }
  return addresses[0]!
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  signal.throwIfAborted()
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason)
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort))
  })
}
