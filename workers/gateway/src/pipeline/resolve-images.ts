// Every image of one request to bytes. Inline images are decoded first (no I/O); URLs are fetched
// a few at a time, each distinct URL once, and the first failure stops the fetches still running.
// Each URL may bring up to maxImageBytes, so the request's image bytes are capped in total too:
// at the body limit, the most that inline images could carry, which keeps the gateway's memory
// bounded and the backend frame under its own limit (the backend's default is twice the body's).
import { EdgeclipError } from '@edgeclip/core'
import { DEFAULT_IMAGE_FETCH_TIMEOUT_MS, type ImageFetcher } from '../ports'
import { atInput } from './input-items'
import { isImageUrl, resolveImage } from './resolve-image'

/** URL fetches one request runs at once (Workers queue past six open connections anyway). */
export const IMAGE_FETCH_CONCURRENCY = 8
/**
 * All URLs of one request must arrive within this many fetch deadlines: fetched a few at a time,
 * many slow URLs would otherwise hold the request (and its connections) for minutes.
 */
export const IMAGE_FETCH_DEADLINES_PER_REQUEST = 3

export interface ResolveImagesOptions {
  fetcher: ImageFetcher
  maxImageBytes: number
  maxImagePixels: number
  /** Most image bytes one request may hold, counted once per distinct URL. */
  maxTotalBytes: number
  single: boolean
  signal?: AbortSignal
}

const tooManyBytes = (maxTotalBytes: number) =>
  new EdgeclipError(
    `input: its images hold more than ${maxTotalBytes} bytes in total; send them in several requests.`,
    { status: 413, code: 'request_too_large', param: 'input' },
  )

/** Bytes for every image source, undefined where `sources` has none (texts). */
export async function resolveImages(
  sources: readonly (string | undefined)[],
  options: ResolveImagesOptions,
): Promise<(Uint8Array | undefined)[]> {
  const { single } = options
  const limits = { maxImageBytes: options.maxImageBytes, maxImagePixels: options.maxImagePixels }
  const results: (Uint8Array | undefined)[] = sources.map(() => undefined)
  let totalBytes = 0
  const count = (bytes: Uint8Array) => {
    totalBytes += bytes.length
    if (totalBytes > options.maxTotalBytes) throw tooManyBytes(options.maxTotalBytes)
  }

  const indexesByUrl = new Map<string, number[]>()
  for (const [index, source] of sources.entries()) {
    if (source === undefined) continue
    const trimmed = source.trim()
    if (isImageUrl(trimmed)) {
      indexesByUrl.set(trimmed, [...(indexesByUrl.get(trimmed) ?? []), index])
      continue
    }
    let bytes: Uint8Array
    try {
      bytes = await resolveImage(trimmed, { fetcher: options.fetcher, ...limits })
    } catch (error) {
      throw atInput(error, index, single)
    }
    count(bytes)
    results[index] = bytes
  }
  if (indexesByUrl.size === 0) return results

  // One signal for this request's fetches: the caller leaving, the first failure or the request's
  // fetch deadline ends them all.
  const stop = new AbortController()
  const forwardAbort = () => stop.abort(options.signal?.reason)
  if (options.signal?.aborted) forwardAbort()
  options.signal?.addEventListener('abort', forwardAbort, { once: true })
  const deadlineMs =
    IMAGE_FETCH_DEADLINES_PER_REQUEST * (options.fetcher.timeoutMs ?? DEFAULT_IMAGE_FETCH_TIMEOUT_MS)
  const deadline = setTimeout(() => {
    stop.abort(
      new EdgeclipError(`the images of this request did not all arrive within ${deadlineMs} ms.`, {
        status: 422,
        code: 'image_fetch_timeout',
      }),
    )
  }, deadlineMs)
  const queue = [...indexesByUrl]
  let failure: { error: unknown } | undefined
  const fetchNext = async (): Promise<void> => {
    for (let next = queue.shift(); next && !stop.signal.aborted; next = queue.shift()) {
      const [url, indexes] = next
      try {
        const bytes = await resolveImage(url, { fetcher: options.fetcher, ...limits, signal: stop.signal })
        count(bytes)
        for (const index of indexes) results[index] = bytes
      } catch (error) {
        // Fetches aborted because of an earlier failure fail too; the first one is the answer.
        failure ??= {
          error: error instanceof EdgeclipError && error.param ? error : atInput(error, indexes[0]!, single),
        }
        stop.abort(failure.error)
      }
    }
  }
  try {
    await Promise.all(Array.from({ length: Math.min(IMAGE_FETCH_CONCURRENCY, queue.length) }, fetchNext))
  } finally {
    clearTimeout(deadline)
    options.signal?.removeEventListener('abort', forwardAbort)
  }
  if (failure) throw failure.error
  // Stopped between two fetches (no fetch failed): the reason, named after the first URL not fetched.
  const unfetched = [...indexesByUrl.values()].find((indexes) => results[indexes[0]!] === undefined)
  if (unfetched) throw atInput(stop.signal.reason, unfetched[0]!, single)
  return results
}
