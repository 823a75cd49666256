// One file over HTTP into `<destination>.partial`, resumed with Range after a dropped connection,
// checked (size, sha256) and renamed into place.
import { open, rename, rm, stat } from 'node:fs/promises'
import { Readable } from 'node:stream'
import { setTimeout as sleep } from 'node:timers/promises'
import { hubFetch, type LinkedFile } from './hub-request'
import { sha256File } from './manifest'
import { ModelStoreError } from './model-store-error'

export interface DownloadFileOptions {
  url: string
  destination: string
  /** Exact size and hash to insist on; leave out what the spec does not pin. */
  expectedSize?: number
  expectedSha256?: string
  onProgress?: (bytesDone: number, bytesTotal: number | undefined) => void
  /** Tries after a failure that made no progress; a try that got bytes resets the count. */
  maxRetries: number
  retryDelayMs: number
  /** Abandons a connection that sends nothing for this long, then resumes it. */
  idleTimeoutMs: number
  fetch: typeof fetch
  signal?: AbortSignal
}

export interface DownloadedFile {
  sha256: string
  size: number
}

type Attempt =
  | { kind: 'complete' }
  | { kind: 'not_found' }
  | { kind: 'retry'; reason: string; progressed: boolean; connectError: boolean }

const connectErrorCodes = new Set([
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNREFUSED',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
])
const maxRetryDelayMs = 8000

/** Resolves undefined when the server answers 404. */
export async function downloadFile(options: DownloadFileOptions): Promise<DownloadedFile | undefined> {
  const partial = `${options.destination}.partial`
  let failures = 0
  let reachedServer = false
  const linked: LinkedFile = {}
  for (;;) {
    options.signal?.throwIfAborted()
    const attempt = await attemptDownload(options, partial, linked)
    if (attempt.kind === 'not_found') return undefined
    if (attempt.kind === 'complete') return finish(options, partial, linked)
    if (!attempt.connectError) reachedServer = true
    failures = attempt.progressed ? 0 : failures + 1
    if (failures > options.maxRetries) {
      const host = new URL(options.url).host
      if (!reachedServer) {
        throw new ModelStoreError(
          `cannot reach ${host} (${attempt.reason}); fetch the model files elsewhere and copy them in`,
          'offline',
        )
      }
      throw new ModelStoreError(
        `downloading ${options.url} failed ${failures} times in a row: ${attempt.reason}`,
        'connection_failed',
      )
    }
    if (failures > 0) {
      const backoff = Math.min(maxRetryDelayMs, options.retryDelayMs * 2 ** (failures - 1))
      await sleep(backoff * (0.75 + Math.random() * 0.5), undefined, { signal: options.signal })
    }
  }
}

async function attemptDownload(
  options: DownloadFileOptions,
  partial: string,
  linked: LinkedFile,
): Promise<Attempt> {
  const offset = await fileSize(partial)
  const controller = new AbortController()
  const onAbort = () => controller.abort(options.signal?.reason)
  options.signal?.addEventListener('abort', onAbort, { once: true })
  let idleTimer = setTimeout(() => controller.abort(new Error('idle timeout')), options.idleTimeoutMs)
  const resetIdle = () => {
    clearTimeout(idleTimer)
    idleTimer = setTimeout(() => controller.abort(new Error('idle timeout')), options.idleTimeoutMs)
  }
  let bytesDone = offset
  try {
    let response: Response
    try {
      const headers: Record<string, string> = offset > 0 ? { range: `bytes=${offset}-` } : {}
      response = await hubFetch(options.fetch, options.url, { headers, signal: controller.signal }, linked)
    } catch (error) {
      options.signal?.throwIfAborted()
      if (error instanceof ModelStoreError) throw error
      return {
        kind: 'retry',
        reason: describe(error),
        progressed: false,
        connectError: isConnectError(error),
      }
    }
    if (response.status === 404) {
      await response.body?.cancel()
      return { kind: 'not_found' }
    }
    if (response.status === 416) {
      await response.body?.cancel()
      // The partial file may already be whole; otherwise it is not a prefix of this file.
      if (offset > 0 && totalFromContentRange(response.headers.get('content-range')) === offset) {
        return { kind: 'complete' }
      }
      await rm(partial, { force: true })
      return { kind: 'retry', reason: 'range not satisfiable', progressed: true, connectError: false }
    }
    if (response.status === 429 || response.status >= 500) {
      await response.body?.cancel()
      return { kind: 'retry', reason: `HTTP ${response.status}`, progressed: false, connectError: false }
    }
    if (!response.ok || response.body === null) {
      await response.body?.cancel()
      throw new ModelStoreError(`${options.url} answered HTTP ${response.status}`, 'http_error')
    }
    let bytesTotal: number | undefined
    let append = false
    if (response.status === 206) {
      const range = parseContentRange(response.headers.get('content-range'))
      if (range?.start !== offset) {
        await response.body.cancel()
        await rm(partial, { force: true })
        return {
          kind: 'retry',
          reason: 'server resumed at the wrong offset',
          progressed: true,
          connectError: false,
        }
      }
      append = true
      bytesTotal = range.total
    } else {
      // A 200 to a Range request: the server sends the whole file, so start over.
      bytesDone = 0
      const length = response.headers.get('content-length')
      bytesTotal = length === null ? undefined : Number(length)
    }
    const startedAt = bytesDone
    options.onProgress?.(bytesDone, bytesTotal)
    // Each chunk is on disk before the next is read, so a dropped connection keeps every byte that
    // arrived and the retry resumes after them (a stream pipeline would discard its queued writes).
    const file = await open(partial, append ? 'a' : 'w')
    try {
      for await (const chunk of Readable.fromWeb(
        response.body as import('node:stream/web').ReadableStream<Uint8Array>,
      )) {
        resetIdle()
        await file.write(chunk)
        bytesDone += chunk.length
        options.onProgress?.(bytesDone, bytesTotal)
      }
    } catch (error) {
      options.signal?.throwIfAborted()
      return {
        kind: 'retry',
        reason: describe(error),
        progressed: bytesDone > startedAt,
        connectError: false,
      }
    } finally {
      await file.close()
    }
    if (bytesTotal !== undefined && bytesDone < bytesTotal) {
      const reason = `connection closed at ${bytesDone} of ${bytesTotal} bytes`
      return { kind: 'retry', reason, progressed: bytesDone > startedAt, connectError: false }
    }
    return { kind: 'complete' }
  } finally {
    clearTimeout(idleTimer)
    options.signal?.removeEventListener('abort', onAbort)
  }
}

async function finish(
  options: DownloadFileOptions,
  partial: string,
  linked: LinkedFile,
): Promise<DownloadedFile> {
  const size = await fileSize(partial)
  // The spec pins some files; for the rest the hub's LFS pointer (X-Linked-*) still says what to expect.
  const expectedSize = options.expectedSize ?? linked.size
  if (expectedSize !== undefined && size !== expectedSize) {
    await rm(partial, { force: true })
    throw new ModelStoreError(
      `${options.url} has ${size} bytes, expected ${expectedSize}; deleted the download, run again`,
      'size_mismatch',
    )
  }
  const sha256 = await sha256File(partial)
  const expectedSha256 = options.expectedSha256 ?? linked.sha256
  if (expectedSha256 !== undefined && sha256 !== expectedSha256) {
    await rm(partial, { force: true })
    const source = options.expectedSha256 === undefined ? "the hub's X-Linked-Etag" : 'the model spec'
    throw new ModelStoreError(
      `sha256 of ${options.url} is ${sha256}, ${source} says ${expectedSha256}; deleted the download. ` +
        'Run again; if it repeats, the file served at this revision is not the expected one.',
      'checksum_mismatch',
    )
  }
  await rename(partial, options.destination)
  return { sha256, size }
}

async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size
  } catch {
    return 0
  }
}

function parseContentRange(header: string | null): { start: number; total: number | undefined } | undefined {
  const match = header === null ? null : /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(header.trim())
  if (match === null) return undefined
  return { start: Number(match[1]), total: match[2] === '*' ? undefined : Number(match[2]) }
}

function totalFromContentRange(header: string | null): number | undefined {
  const match = header === null ? null : /^bytes \*\/(\d+)$/.exec(header.trim())
  return match === null ? undefined : Number(match[1])
}

function errorCode(error: unknown): string | undefined {
  const cause = (error as { cause?: { code?: unknown; errors?: { code?: unknown }[] } })?.cause
  const code = cause?.code ?? cause?.errors?.[0]?.code ?? (error as { code?: unknown })?.code
  return typeof code === 'string' ? code : undefined
}

function isConnectError(error: unknown): boolean {
  const code = errorCode(error)
  return code !== undefined && connectErrorCodes.has(code)
}

function describe(error: unknown): string {
  const code = errorCode(error)
  const message = error instanceof Error ? error.message : String(error)
  return code === undefined ? message : `${message}: ${code}`
}
