// GET that follows redirects by hand, to read what the hub says about a file before its CDN answers:
// for LFS files (the ONNX towers) `X-Linked-Etag` is the file's sha256 and `X-Linked-Size` its size.
import { ModelStoreError } from './model-store-error'

const maxRedirects = 5
const sha256Pattern = /^[0-9a-f]{64}$/

export interface LinkedFile {
  sha256?: string
  size?: number
}

export async function hubFetch(
  fetchImplementation: typeof fetch,
  url: string,
  init: { headers: Record<string, string>; signal: AbortSignal },
  linked: LinkedFile,
): Promise<Response> {
  let current = url
  for (let hop = 0; ; hop++) {
    const response = await fetchImplementation(current, { ...init, redirect: 'manual' })
    readLinkedHeaders(response.headers, linked)
    const location = response.headers.get('location')
    if (response.status < 300 || response.status >= 400 || location === null) return response
    await response.body?.cancel()
    if (hop >= maxRedirects)
      throw new ModelStoreError(`${url} redirected more than ${maxRedirects} times`, 'http_error')
    current = new URL(location, current).href
  }
}

function readLinkedHeaders(headers: Headers, linked: LinkedFile): void {
  const etag = headers.get('x-linked-etag')
  const sha256 = etag?.replace(/^W\//, '').replaceAll('"', '').trim().toLowerCase()
  if (sha256 !== undefined && sha256Pattern.test(sha256)) linked.sha256 ??= sha256
  const size = Number(headers.get('x-linked-size') ?? Number.NaN)
  if (Number.isSafeInteger(size) && size >= 0) linked.size ??= size
}
