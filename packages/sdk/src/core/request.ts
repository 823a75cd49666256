// One JSON call with timeout, caller abort and retries; each failure leaves as a typed error.
import { sleep } from '../internal/sleep'
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  EdgeClipSDKError,
} from './errors'
import { isRetryableStatus, retryDelay } from './retry'

export type Fetch = (input: string, init: RequestInit) => Promise<Response>

export interface TransportConfig {
  baseURL: string
  fetch: Fetch
  /** Headers sent with every call (auth, SDK version, the caller's defaults). */
  headers: Record<string, string>
  timeout: number
  maxRetries: number
  /** Jitter source; tests pin it. */
  random?: () => number
  /** Waits out a backoff; tests inject one that records the delay instead of waiting. */
  sleep?: (milliseconds: number, signal?: AbortSignal) => Promise<void>
}

export interface RequestOptions {
  method: 'GET' | 'POST'
  path: string
  body?: unknown
  headers?: Record<string, string>
  signal?: AbortSignal | undefined
  timeout?: number | undefined
  maxRetries?: number | undefined
}

export interface APIResponse<T> {
  data: T
  status: number
  headers: Headers
}

export async function requestJSON<T>(
  config: TransportConfig,
  options: RequestOptions,
): Promise<APIResponse<T>> {
  const maxRetries = options.maxRetries ?? config.maxRetries
  const timeout = options.timeout ?? config.timeout
  const url = joinURL(config.baseURL, options.path)
  const headers: Record<string, string> = {
    accept: 'application/json',
    ...config.headers,
    ...options.headers,
  }
  let body: string | undefined
  if (options.body !== undefined) {
    body = JSON.stringify(options.body)
    headers['content-type'] = 'application/json'
  }
  for (let retryIndex = 0; ; retryIndex++) {
    const retriesLeft = maxRetries - retryIndex
    let response: Response
    let text: string
    try {
      ;({ response, text } = await attempt(
        config.fetch,
        url,
        { method: options.method, headers, body },
        timeout,
        options.signal,
      ))
    } catch (error) {
      if (error instanceof APIUserAbortError || retriesLeft <= 0) throw error
      await waitOrAbort(config, retryDelay(retryIndex, undefined, config.random), options.signal)
      continue
    }
    if (response.ok)
      return { data: parseSuccess<T>(text, response), status: response.status, headers: response.headers }
    const apiError = APIError.generate(
      response.status,
      parseLoosely(text),
      text || undefined,
      response.headers,
    )
    if (!isRetryableStatus(response.status) || retriesLeft <= 0) throw apiError
    await waitOrAbort(config, retryDelay(retryIndex, response.headers, config.random), options.signal)
  }
}

async function attempt(
  fetch: Fetch,
  url: string,
  init: { method: string; headers: Record<string, string>; body: string | undefined },
  timeout: number,
  signal: AbortSignal | undefined,
): Promise<{ response: Response; text: string }> {
  if (signal?.aborted) throw new APIUserAbortError({ cause: signal.reason })
  const controller = new AbortController()
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    controller.abort()
  }, timeout)
  const onAbort = () => controller.abort()
  signal?.addEventListener('abort', onAbort, { once: true })
  try {
    const requestInit: RequestInit = { method: init.method, headers: init.headers, signal: controller.signal }
    if (init.body !== undefined) requestInit.body = init.body
    const response = await fetch(url, requestInit)
    // The body is read under the same timer: a server that stalls mid-body is as stuck as one that never answers.
    const text = await response.text()
    return { response, text }
  } catch (error) {
    if (signal?.aborted) throw new APIUserAbortError({ cause: signal.reason })
    if (timedOut) throw new APIConnectionTimeoutError()
    throw new APIConnectionError({ cause: error })
  } finally {
    clearTimeout(timer)
    signal?.removeEventListener('abort', onAbort)
  }
}

async function waitOrAbort(
  config: TransportConfig,
  milliseconds: number,
  signal: AbortSignal | undefined,
): Promise<void> {
  if (signal?.aborted) throw new APIUserAbortError({ cause: signal.reason })
  try {
    await (config.sleep ?? sleep)(milliseconds, signal)
  } catch (error) {
    throw new APIUserAbortError({ cause: error })
  }
}

function parseSuccess<T>(text: string, response: Response): T {
  try {
    return JSON.parse(text) as T
  } catch (error) {
    throw new EdgeClipSDKError(
      `expected a JSON body from ${response.url || 'the server'} (status ${response.status}), got: ${text.slice(0, 200)}`,
      { cause: error },
    )
  }
}

function parseLoosely(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

function joinURL(baseURL: string, path: string): string {
  return `${baseURL.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`
}
