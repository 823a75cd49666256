// Interim client for the GPU backend's binary batch endpoint, until the adapters' HttpBackend lands.
import {
  BACKEND_BATCH_PATH,
  BACKEND_REQUEST_TYPE,
  type Backend,
  type BackendCallOptions,
  type BackendItem,
  type BackendResult,
  decodeBackendResponse,
  EdgeclipError,
  encodeBackendRequest,
} from '@edgeclip/core'

export interface InterimHttpBackendOptions {
  url: string
  secret?: string
  /** Modal proxy auth, sent as Modal-Key / Modal-Secret when both are set. */
  modalKey?: string
  modalSecret?: string
}

export class InterimHttpBackend implements Backend {
  readonly name: string
  readonly #options: InterimHttpBackendOptions

  constructor(options: InterimHttpBackendOptions) {
    this.name = `http ${new URL(options.url).host}`
    this.#options = options
  }

  #headers(): Record<string, string> {
    const { secret, modalKey, modalSecret } = this.#options
    return {
      ...(secret ? { authorization: `Bearer ${secret}` } : {}),
      ...(modalKey && modalSecret ? { 'modal-key': modalKey, 'modal-secret': modalSecret } : {}),
    }
  }

  async embedBatch(
    model: string,
    items: readonly BackendItem[],
    options: BackendCallOptions = {},
  ): Promise<BackendResult> {
    const response = await fetch(new URL(BACKEND_BATCH_PATH, this.#options.url), {
      method: 'POST',
      headers: {
        ...this.#headers(),
        'content-type': BACKEND_REQUEST_TYPE,
        ...(options.requestId ? { 'x-request-id': options.requestId } : {}),
      },
      body: new Uint8Array(encodeBackendRequest({ model, items: [...items] })),
      ...(options.signal ? { signal: options.signal } : {}),
    })
    if (!response.ok) {
      throw new EdgeclipError(`The GPU backend answered ${response.status}.`, {
        status: 503,
        code: 'backend_unavailable',
      })
    }
    return decodeBackendResponse(new Uint8Array(await response.arrayBuffer()), items.length)
  }

  async ready(options: BackendCallOptions = {}): Promise<boolean> {
    const response = await fetch(new URL('/healthz', this.#options.url), {
      headers: this.#headers(),
      ...(options.signal ? { signal: options.signal } : {}),
    }).catch(() => undefined)
    return response?.ok === true
  }
}
