// Fetches client-supplied image URLs under limits: http(s) only, every redirect hop re-checked,
// body streamed under a byte cap, one deadline for the whole fetch (a slow-drip server cannot hold
// us), and the type and pixel count judged from the bytes, whatever the server's headers claim.
// This class checks literal hosts only; NodeSafeImageFetcher adds DNS checks and address pinning.
import {
  checkImageHeader,
  decodableImageFormats,
  defaultMaxImagePixels,
  EdgeclipError,
  type ImageFormat,
} from '@edgeclip/core'
import { DEFAULT_IMAGE_FETCH_TIMEOUT_MS, type FetchedImage, type ImageFetcher } from '../../ports'
import {
  type AddressGuard,
  type AddressGuardOptions,
  createAddressGuard,
  defaultPort,
  unbracket,
} from './address-guard'
import { isIpLiteral } from './address-policy'
import { imageFetchErrors } from './image-fetch-errors'
import { fetchHop, type ImageHop, type ImageHopResponse } from './image-hop'

export interface SafeImageFetcherOptions extends AddressGuardOptions {
  maxBytes?: number
  /** Deadline for the whole fetch: every hop, headers and body. */
  timeoutMs?: number
  maxRedirects?: number
  maxPixels?: number
  /** Formats the backend decodes; anything else is refused before it is forwarded. */
  acceptedFormats?: readonly ImageFormat[]
  /** Transport for one hop; defaults to the runtime's fetch with manual redirects. */
  hop?: ImageHop
  fetch?: typeof fetch
}

export const DEFAULT_IMAGE_MAX_BYTES = 20 * 1024 * 1024
export { DEFAULT_IMAGE_FETCH_TIMEOUT_MS }
export const DEFAULT_IMAGE_MAX_REDIRECTS = 3
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308])

export class SafeImageFetcher implements ImageFetcher {
  readonly maxBytes: number
  readonly timeoutMs: number
  readonly maxRedirects: number
  readonly maxPixels: number
  readonly acceptedFormats: ReadonlySet<ImageFormat>
  protected readonly guard: AddressGuard
  readonly #allowPrivate: boolean
  readonly #hop: ImageHop

  constructor(options: SafeImageFetcherOptions = {}) {
    this.maxBytes = options.maxBytes ?? DEFAULT_IMAGE_MAX_BYTES
    this.timeoutMs = options.timeoutMs ?? DEFAULT_IMAGE_FETCH_TIMEOUT_MS
    this.maxRedirects = options.maxRedirects ?? DEFAULT_IMAGE_MAX_REDIRECTS
    this.maxPixels = options.maxPixels ?? defaultMaxImagePixels
    this.acceptedFormats = options.acceptedFormats ? new Set(options.acceptedFormats) : decodableImageFormats
    this.guard = createAddressGuard(options)
    this.#allowPrivate = options.allowPrivate === true
    this.#hop = options.hop ?? fetchHop(options.fetch)
  }

  async fetch(url: string, options: { signal?: AbortSignal } = {}): Promise<FetchedImage> {
    const callerSignal = options.signal
    callerSignal?.throwIfAborted()
    const deadline = new AbortController()
    const timeoutReason = new Error('image fetch deadline')
    const timer = setTimeout(() => deadline.abort(timeoutReason), this.timeoutMs)
    const forwardAbort = () => deadline.abort(callerSignal?.reason)
    callerSignal?.addEventListener('abort', forwardAbort, { once: true })
    try {
      return await this.#fetchWithin(url, deadline)
    } catch (error) {
      if (deadline.signal.reason === timeoutReason) throw imageFetchErrors.timeout(this.timeoutMs)
      if (callerSignal?.aborted) throw callerSignal.reason
      if (error instanceof EdgeclipError) throw error
      throw imageFetchErrors.unreachable(error)
    } finally {
      clearTimeout(timer)
      callerSignal?.removeEventListener('abort', forwardAbort)
    }
  }

  async #fetchWithin(url: string, deadline: AbortController): Promise<FetchedImage> {
    let current = this.#checkUrl(url)
    for (let redirects = 0; ; redirects++) {
      const response = await this.#hop(current, deadline.signal)
      if (REDIRECT_STATUSES.has(response.status) && response.location !== null) {
        response.discard()
        if (redirects >= this.maxRedirects) throw imageFetchErrors.tooManyRedirects(this.maxRedirects)
        current = this.#checkUrl(resolveLocation(response.location, current))
        continue
      }
      if (response.status < 200 || response.status >= 300) {
        response.discard()
        throw imageFetchErrors.upstreamStatus(response.status)
      }
      if (response.contentLength !== undefined && response.contentLength > this.maxBytes) {
        response.discard()
        throw imageFetchErrors.tooManyBytes(this.maxBytes)
      }
      return this.#judge(await this.#readCapped(response))
    }
  }

  /** Parses and checks a URL before any connection: scheme, credentials, literal hosts. */
  #checkUrl(text: string): URL {
    let url: URL
    try {
      url = new URL(text)
    } catch {
      throw imageFetchErrors.invalidUrl('not an absolute URL')
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw imageFetchErrors.invalidUrl(`scheme ${url.protocol} is not http or https`)
    }
    if (url.username !== '' || url.password !== '')
      throw imageFetchErrors.invalidUrl('credentials in URLs are refused')
    const host = url.hostname.toLowerCase()
    if (!this.#allowPrivate && (host === 'localhost' || host.endsWith('.localhost'))) {
      throw imageFetchErrors.forbiddenAddress(host, 'loopback name')
    }
    // WHATWG URL parsing already turned decimal, octal and hex IPv4 spellings into dotted quads.
    if (isIpLiteral(host)) {
      const reason = this.guard(unbracket(host), defaultPort(url))
      if (reason !== undefined) throw imageFetchErrors.forbiddenAddress(host, reason)
    }
    return url
  }

  async #readCapped(response: ImageHopResponse): Promise<Uint8Array> {
    const chunks: Uint8Array[] = []
    let total = 0
    for await (const chunk of response.body) {
      total += chunk.byteLength
      if (total > this.maxBytes) {
        response.discard()
        throw imageFetchErrors.tooManyBytes(this.maxBytes)
      }
      chunks.push(chunk)
    }
    const bytes = new Uint8Array(total)
    let offset = 0
    for (const chunk of chunks) {
      bytes.set(chunk, offset)
      offset += chunk.byteLength
    }
    return bytes
  }

  #judge(bytes: Uint8Array): FetchedImage {
    const header = checkImageHeader(bytes, { maxPixels: this.maxPixels, formats: this.acceptedFormats })
    return { bytes, mimeType: header.mimeType, width: header.width, height: header.height }
  }
}

function resolveLocation(location: string, base: URL): string {
  try {
    return new URL(location, base).href
  } catch {
    throw imageFetchErrors.invalidUrl('redirect to an unparsable location')
  }
}
