// POST /internal/v1/batch: an ECB1 frame in, an ECB1 frame of float32 rows out (or the JSON debug
// form). Whole-request problems answer an HTTP error; an item's own problem stays in its slot.
import {
  BACKEND_BATCH_PATH,
  BACKEND_REQUEST_TYPE,
  BACKEND_RESPONSE_TYPE,
  type BackendIdentity,
  type BackendItem,
  decodeBackendRequest,
  EdgeclipError,
  encodeBackendResponse,
  type WordPieceTokenizer,
} from '@edgeclip/core'
import { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import type { BatchEmbedder } from '../../inference'
import type { BackendMetrics } from '../../metrics'
import { jsonBatchResponse, parseJsonBatch } from './json-batch'
import { parseJson, readBody } from './read-body'
import { serverTiming } from './server-timing'

export interface ServingModel {
  embedder: BatchEmbedder
  /** For the JSON form's plain texts; the binary form carries token ids. */
  tokenizer: WordPieceTokenizer
  /** The loaded towers' weights and numerics, sent with every answer. */
  identity: BackendIdentity
}

export interface BatchRouteOptions {
  /** Undefined until the towers are loaded and warm. */
  model: () => ServingModel | undefined
  metrics: BackendMetrics
  maxRequestBytes: number
  /** False once shutdown began: requests still arriving on open connections get 503. */
  accepting: () => boolean
}

export function batchRoute(options: BatchRouteOptions): Hono {
  const { metrics } = options
  const app = new Hono()

  app.use(BACKEND_BATCH_PATH, async function countRequests(context, next) {
    const started = performance.now()
    try {
      await next()
    } finally {
      metrics.requests.inc({ status: String(context.res.status) })
      metrics.requestSeconds.observe((performance.now() - started) / 1000)
    }
  })
  app.use(
    BACKEND_BATCH_PATH,
    bodyLimit({
      maxSize: options.maxRequestBytes,
      onError: () => {
        throw new EdgeclipError(`request body is over ${options.maxRequestBytes} bytes`, {
          status: 413,
          code: 'request_too_large',
        })
      },
    }),
  )

  app.post(BACKEND_BATCH_PATH, async (context) => {
    const started = performance.now()
    if (!options.accepting()) {
      throw new EdgeclipError('the backend is shutting down', {
        status: 503,
        code: 'shutting_down',
        retryAfter: 1,
      })
    }
    const model = options.model()
    if (!model) {
      throw new EdgeclipError('the backend is still loading its model', {
        status: 503,
        code: 'not_ready',
        retryAfter: 1,
      })
    }
    const { embedder, tokenizer, identity } = model
    const spec = embedder.spec
    const contentType = (context.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase()
    const json = contentType === 'application/json'
    if (!json && contentType !== BACKEND_REQUEST_TYPE && contentType !== 'application/octet-stream') {
      throw new EdgeclipError(`send ${BACKEND_REQUEST_TYPE} (or application/json for debugging)`, {
        status: 415,
        code: 'unsupported_media_type',
      })
    }
    const body = await readBody(context.req.raw)
    const request: { model: string; revision?: string; items: BackendItem[] } = json
      ? parseJsonBatch(parseJson(body), spec, tokenizer)
      : decodeBackendRequest(body)
    if (request.model !== spec.id) {
      throw new EdgeclipError(`this backend serves ${spec.id}, not ${request.model}`, {
        status: 404,
        code: 'model_not_found',
        param: 'model',
      })
    }
    // Same id, other weights (the fixture and the real model, or two deploys mid-rollout): the
    // sender's token ids and cache keys belong to its revision, so refuse rather than mix vectors.
    if (request.revision !== undefined && request.revision !== spec.revision) {
      throw new EdgeclipError(
        `this backend serves ${spec.id} at revision ${spec.revision}, not ${request.revision}`,
        { status: 409, code: 'model_revision_mismatch', param: 'revision' },
      )
    }
    // Aborted when the client goes away: its items leave the queue instead of running for nobody.
    const result = await embedder.embed(request.items, { signal: context.req.raw.signal })
    for (const [stage, ms] of Object.entries(result.timings ?? {})) {
      metrics.stageSeconds.observe(ms / 1000, { stage })
    }
    const timing = serverTiming(result.timings ?? {}, performance.now() - started)
    context.header('server-timing', timing)
    if (json) return context.json({ ...jsonBatchResponse(request.model, spec.dimensions, result), identity })
    const frame = encodeBackendResponse({ ...result, identity }, spec.dimensions)
    return context.body(frame as Uint8Array<ArrayBuffer>, 200, { 'content-type': BACKEND_RESPONSE_TYPE })
  })
  return app
}
