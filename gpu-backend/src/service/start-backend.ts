// The backend's life: listen at once (so /healthz answers and /readyz says "loading"), load the
// towers on the best provider, warm them, then serve. close() is the SIGTERM path: stop taking
// requests, let in-flight ones finish their batches, release the sessions.
import type { AddressInfo } from 'node:net'
import { type OnnxSessionFactory, WordPieceTokenizer } from '@edgeclip/core'
import { SharpImageDecoder } from '@edgeclip/core/node'
import { serve } from '@hono/node-server'
import type { BackendConfig } from '../config'
import { BatchEmbedder, ImageWorkerPool } from '../inference'
import {
  type BackendMetrics,
  createBackendMetrics,
  type ProviderState,
  registerProviderMetrics,
} from '../metrics'
import { type LoadedTowers, loadTowers, openModelFiles, warmUp } from '../model'
import { describePlacement } from '../providers/placement'
import { createBackendApp, type ServingModel } from '../server'

/** node:http's own headers deadline; a shorter request timeout lowers it too. */
const DEFAULT_HEADERS_TIMEOUT_MS = 60_000

export interface StartBackendOptions {
  config: BackendConfig
  /** Default: core's onnxruntime-node session (`@edgeclip/core/onnx-node`). */
  createSession?: OnnxSessionFactory
  log?: (line: string) => void
}

export interface RunningBackend {
  url: string
  port: number
  metrics: BackendMetrics
  /** Resolves once warm and ready; rejects when the model cannot load. */
  ready: Promise<LoadedTowers>
  close(): Promise<void>
}

export async function startBackend(options: StartBackendOptions): Promise<RunningBackend> {
  const { config } = options
  const log = options.log ?? ((line: string) => console.log(line))
  let serving: ServingModel | undefined
  let towers: LoadedTowers | undefined
  let imagePool: ImageWorkerPool | undefined
  let phase: 'loading' | 'warming up' | 'ready' | 'shutting down' | 'failed' = 'loading'
  const metrics = createBackendMetrics(
    () => serving?.embedder.queueDepth() ?? { text: 0, image: 0 },
    () => imagePool?.depth ?? 0,
  )
  let providerState: ProviderState | undefined
  registerProviderMetrics(metrics.registry, () => providerState)

  const app = createBackendApp({
    secret: config.secret,
    metrics,
    model: () => (phase === 'ready' ? serving : undefined),
    notReadyReason: () => (phase === 'ready' ? undefined : phase),
    accepting: () => phase !== 'shutting down',
    describe: () => ({
      model: towers?.spec.id,
      revision: towers?.spec.revision,
      provider: towers?.provider,
      variant: towers?.variant,
      // Gateways read it before their first batch to look cached vectors up under these towers' keys.
      identity: towers?.identity,
    }),
    maxRequestBytes: config.maxRequestBytes,
    log,
  })
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const started = serve(
      {
        fetch: app.fetch,
        port: config.port,
        hostname: config.host,
        serverOptions: {
          // 408 to a request not received whole in time; headers may not take longer either.
          requestTimeout: config.requestTimeoutMs,
          headersTimeout: Math.min(config.requestTimeoutMs, DEFAULT_HEADERS_TIMEOUT_MS),
          // node checks those deadlines on this interval (30 s by default), so it bounds their slack.
          connectionsCheckingInterval: Math.min(1_000, config.requestTimeoutMs),
        },
      },
      () => resolve(started),
    )
    started.once('error', reject)
  })
  const { port } = server.address() as AddressInfo
  const host = config.host.includes(':') ? `[${config.host}]` : config.host
  const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`
  log(`edgeclip backend: listening on ${url}${config.secret ? '' : ' (BACKEND_AUTH=off: no secret checked)'}`)

  const ready = (async () => {
    const files = await openModelFiles(config.model)
    towers = await loadTowers({
      files,
      config,
      ...(options.createSession ? { createSession: options.createSession } : {}),
    })
    const adapter = towers.adapter ? `; adapter: ${towers.adapter.description}` : ''
    log(
      `edgeclip backend: ${files.spec.id}@${files.spec.revision} on ${towers.provider.toUpperCase()} ` +
        `(${towers.variant}; towers: ${[towers.textTower && 'text', towers.imageTower && 'image'].filter(Boolean).join(', ')}${adapter})` +
        ` - why: ${towers.reason}`,
    )
    // A SIGTERM while loading must stick: the phase only moves forward from where loading left it.
    if (phase === 'loading') phase = 'warming up'
    const warm = await warmUp(towers)
    // The warm-up ran every node once, so the profile now says where each one ran.
    const placement = await towers.readPlacement()
    for (const [tower, placed] of Object.entries(placement)) {
      log(
        `edgeclip backend: ${tower} tower on ${towers.provider.toUpperCase()}: ${describePlacement(placed)}`,
      )
    }
    providerState = {
      provider: towers.provider,
      variant: towers.variant,
      adapter: towers.adapter?.description ?? (towers.provider === 'cpu' ? 'cpu' : 'n/a'),
      placement,
    }
    if (towers.imageTower && config.imageThreads > 0) {
      imagePool = new ImageWorkerPool({
        threads: config.imageThreads,
        spec: files.spec.image,
        maxPixels: config.maxImagePixels,
        onCancelled: () => metrics.decodesCancelled.inc(),
      })
    }
    const pool = imagePool
    const embedder = new BatchEmbedder({
      spec: files.spec,
      textTower: towers.textTower,
      imageTower: towers.imageTower,
      decoder: new SharpImageDecoder({ maxPixels: config.maxImagePixels }),
      ...(pool
        ? { prepareImage: (bytes: Uint8Array, signal?: AbortSignal) => pool.prepare(bytes, signal) }
        : {}),
      text: config.text,
      image: config.image,
      maxQueuedTexts: config.maxQueuedTexts,
      maxQueuedImages: config.maxQueuedImages,
      retryAfterSeconds: config.retryAfterSeconds,
      metrics,
    })
    serving = {
      embedder,
      tokenizer: WordPieceTokenizer.fromVocab(files.vocab, files.spec.tokenizer),
      identity: towers.identity,
    }
    if (phase === 'warming up') phase = 'ready'
    const warmed = Object.entries(warm).map(([stage, ms]) => `${stage.replace('Ms', '')} ${ms.toFixed(0)} ms`)
    log(`edgeclip backend: ready (warm-up ${warmed.join(', ')})`)
    return towers
  })()
  ready.catch((error: unknown) => {
    phase = 'failed'
    log(`edgeclip backend: could not load the model: ${error instanceof Error ? error.message : error}`)
  })

  let closing: Promise<void> | undefined
  const close = () => {
    closing ??= (async () => {
      phase = 'shutting down'
      // Stops new connections; open ones end after their in-flight response (idle ones at once).
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      await serving?.embedder.drain()
      await closed
      await ready.catch(() => undefined)
      await imagePool?.close()
      await towers?.release()
    })()
    return closing
  }
  return { url, port, metrics, ready, close }
}
