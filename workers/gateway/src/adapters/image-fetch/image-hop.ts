// One HTTP GET without following redirects: the fetcher decides about every hop itself. Hosts
// supply the transport (fetch on Workers, node:http with a pinned address on Node).

export interface ImageHopResponse {
  status: number
  /** The Location header of a redirect, unresolved. */
  location: string | null
  contentLength: number | undefined
  body: AsyncIterable<Uint8Array>
  /** Releases the connection when the body is not wanted (redirects, errors). */
  discard(): void
}

export type ImageHop = (url: URL, signal: AbortSignal) => Promise<ImageHopResponse>

// Some image hosts (Wikimedia among them) refuse requests that carry no User-Agent.
export const IMAGE_FETCH_HEADERS: Readonly<Record<string, string>> = {
  accept: 'image/*',
  'user-agent': 'edgeclip-image-fetcher/0.1',
}

/** The runtime's fetch with manual redirects: right for Workers, where private egress is blocked. */
export function fetchHop(fetchFunction: typeof fetch = globalThis.fetch): ImageHop {
  return async (url, signal) => {
    const response = await fetchFunction(url, {
      method: 'GET',
      redirect: 'manual',
      signal,
      headers: IMAGE_FETCH_HEADERS,
    })
    const length = response.headers.get('content-length')
    return {
      status: response.status,
      location: response.headers.get('location'),
      contentLength: length === null ? undefined : Number(length),
      body: readStream(response.body),
      discard: () => {
        response.body?.cancel().catch(() => {})
      },
    }
  }
}

async function* readStream(stream: ReadableStream<Uint8Array> | null): AsyncIterable<Uint8Array> {
  if (stream === null) return
  const reader = stream.getReader()
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) return
      yield value
    }
  } finally {
    reader.releaseLock()
  }
}
