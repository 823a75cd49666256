// Computes vectors the cache did not have: short texts on the in-process edge tower, everything
// else in one batched backend call (a few frames for huge requests). Rows come back raw
// (unnormalized), in the order given; a non-finite row is never returned.
import {
  type BackendIdentity,
  type BackendItem,
  type BackendResult,
  EdgeclipError,
  type TowerIdentity,
} from '@edgeclip/core'
import type { GatewayConfig } from '../config'
import type { StageTimings } from '../middleware/timing'
import type { GatewayDeps } from '../ports'
import { splitFrames } from './backend-frames'
import { backendTowerFor } from './cache-keys'
import { EdgeQueueFullError, edgeQueueFor } from './edge-queue'
import { inputParam } from './input-items'
import type { PreparedItem } from './prepare-items'

export type Route = 'edge' | 'backend'

export interface Miss {
  item: PreparedItem
  /** The first input index holding this item, for error messages. */
  inputIndex: number
}

export interface EmbedMissesOptions {
  deps: Pick<GatewayDeps, 'spec' | 'edgeTower' | 'edgeIdentity' | 'backend'>
  config: Pick<
    GatewayConfig,
    | 'edgeMaxTokens'
    | 'edgeBatchSize'
    | 'edgeMaxRunning'
    | 'edgeMaxWaiting'
    | 'backendTimeoutMs'
    | 'edgeTimeoutMs'
    | 'maxBodyBytes'
  >
  timings: StageTimings
  single: boolean
  requestId?: string
  /** The caller's connection; when it goes away the backend call is abandoned too. */
  signal?: AbortSignal
}

/** The routing policy: one token threshold per model, and only when an edge tower exists. */
export function routeFor(
  item: { kind: 'text'; tokens: number } | { kind: 'image' },
  hasEdgeTower: boolean,
  edgeMaxTokens: number,
): Route {
  return hasEdgeTower && item.kind === 'text' && item.tokens <= edgeMaxTokens ? 'edge' : 'backend'
}

function checkRow(vector: Float32Array, dimensions: number, source: string): Float32Array {
  if (vector.length !== dimensions) {
    throw new EdgeclipError(`${source} returned ${vector.length} dimensions instead of ${dimensions}.`, {
      status: 503,
      code: 'backend_protocol_error',
      retryAfter: 1,
    })
  }
  return vector
}

/** A NaN or infinite value (an overflowing fp16 graph): never served, never cached. */
const isFiniteRow = (vector: Float32Array): boolean => vector.every(Number.isFinite)

async function runEdge(misses: readonly Miss[], options: EmbedMissesOptions): Promise<Float32Array[]> {
  const loadTower = options.deps.edgeTower!
  const queue = edgeQueueFor(loadTower, {
    maxRunning: options.config.edgeMaxRunning,
    maxWaiting: options.config.edgeMaxWaiting,
  })
  const tower = await loadTower()
  const batchSize = Math.max(1, Math.min(options.config.edgeBatchSize, tower.maxBatchSize))
  const rows: Float32Array[] = []
  for (let start = 0; start < misses.length; start += batchSize) {
    const batch = misses
      .slice(start, start + batchSize)
      .map(({ item }) => (item.kind === 'text' ? item.ids : []))
    const signal = options.signal
    rows.push(
      ...(await queue.run(() => {
        // A caller who left gets no more batches: the tower's time goes to callers still waiting.
        signal?.throwIfAborted()
        return tower.embed(batch, { normalize: false, ...(signal ? { signal } : {}) })
      })),
    )
  }
  const checked = rows.map((row) => checkRow(row, options.deps.spec.dimensions, 'the edge tower'))
  // A plain Error: the tower is broken, so its texts go to the backend like after any tower failure.
  if (!checked.every(isFiniteRow)) throw new Error('the edge tower returned values that are not finite')
  return checked
}

/** Runs `run` with a signal that aborts when the caller leaves or after `milliseconds`, which reject with `expired()`. */
function withTimeout<T>(
  run: (signal: AbortSignal) => Promise<T>,
  milliseconds: number,
  callerSignal: AbortSignal | undefined,
  expired: () => Error,
): Promise<T> {
  const controller = new AbortController()
  callerSignal?.addEventListener('abort', () => controller.abort(callerSignal.reason), { once: true })
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = expired()
      controller.abort(error)
      reject(error)
    }, milliseconds)
  })
  return Promise.race([run(controller.signal), timeout]).finally(() => clearTimeout(timer))
}

/** The edge path ran past its deadline: its texts go to the backend like after any edge failure. */
export class EdgeTimeoutError extends Error {
  constructor(milliseconds: number) {
    super(`the edge tower did not answer within ${milliseconds} ms`)
    this.name = 'EdgeTimeoutError'
  }
}

interface Computed {
  rows: Float32Array[]
  /** The identity of the towers that computed the rows: what they are stored under. */
  towers: (TowerIdentity | undefined)[]
}

async function runBackend(misses: readonly Miss[], options: EmbedMissesOptions): Promise<Computed> {
  const { backend, spec } = options.deps
  if (!backend) {
    const first = misses[0]!
    throw new EdgeclipError(
      `${inputParam(first.inputIndex, options.single)} needs the GPU backend (images and texts over ${options.config.edgeMaxTokens} tokens), and none is configured.`,
      {
        status: 503,
        code: 'backend_unavailable',
        param: inputParam(first.inputIndex, options.single),
        retryAfter: 30,
      },
    )
  }
  const items = misses.map(
    ({ item }): BackendItem =>
      item.kind === 'text' ? { kind: 'text', ids: item.ids } : { kind: 'image', bytes: item.bytes },
  )
  let result: BackendResult
  try {
    // Usually one frame; one deadline for all of them.
    result = await withTimeout(
      async (signal) => {
        const merged: BackendResult & Required<Pick<BackendResult, 'timings'>> = { items: [], timings: {} }
        // Frames answered by two deploys (a rollout between them) name no single identity.
        let identity: BackendIdentity | undefined
        let identities = 0
        for (const { start, end } of splitFrames(items, options.config.maxBodyBytes)) {
          const frame = await backend.embedBatch(spec.id, items.slice(start, end), {
            signal,
            revision: spec.revision,
            ...(options.requestId ? { requestId: options.requestId } : {}),
          })
          // A short frame must fail here: appended, its rows would shift onto the next frame's items.
          if (frame.items.length !== end - start) return frame
          merged.items.push(...frame.items)
          if (identities === 0 || JSON.stringify(identity) === JSON.stringify(frame.identity)) {
            identity = frame.identity
          } else {
            identity = undefined
          }
          identities++
          for (const [stage, milliseconds] of Object.entries(frame.timings ?? {})) {
            merged.timings[stage] = (merged.timings[stage] ?? 0) + milliseconds
          }
        }
        return { ...merged, ...(identity ? { identity } : {}) }
      },
      options.config.backendTimeoutMs,
      options.signal,
      () =>
        new EdgeclipError(`The GPU backend did not answer within ${options.config.backendTimeoutMs} ms.`, {
          status: 504,
          code: 'backend_timeout',
        }),
    )
  } catch (error) {
    // A caller who left is no backend fault (and must not read as one in the logs).
    if (error instanceof EdgeclipError || options.signal?.aborted) throw error
    throw new EdgeclipError('The GPU backend failed; try again shortly.', {
      status: 503,
      code: 'backend_unavailable',
      retryAfter: 1,
      cause: error,
    })
  }
  for (const [stage, milliseconds] of Object.entries(result.timings ?? {})) {
    options.timings.add(`backend-${stage}`, milliseconds)
  }
  if (result.items.length !== misses.length) {
    throw new EdgeclipError(`The GPU backend answered ${result.items.length} items for ${misses.length}.`, {
      status: 503,
      code: 'backend_protocol_error',
      retryAfter: 1,
    })
  }
  // Items fail one by one (a corrupt image); the request fails with the first of them in input order.
  const failures = result.items
    .map((outcome, position) => ({ outcome, inputIndex: misses[position]!.inputIndex }))
    .filter((entry) => !entry.outcome.ok)
    .sort((a, b) => a.inputIndex - b.inputIndex)
  const firstFailure = failures[0]
  if (firstFailure && !firstFailure.outcome.ok) {
    const param = inputParam(firstFailure.inputIndex, options.single)
    const { status, code, message } = firstFailure.outcome
    throw new EdgeclipError(`${param}: ${message}`, {
      status,
      code,
      param,
      ...(status >= 500 ? { retryAfter: 1 } : {}),
    })
  }
  const rows = result.items.map((outcome, position) => {
    const row = checkRow(outcome.ok ? outcome.vector : new Float32Array(), spec.dimensions, 'the GPU backend')
    if (isFiniteRow(row)) return row
    const param = inputParam(misses[position]!.inputIndex, options.single)
    throw new EdgeclipError(`The GPU backend returned values that are not finite for ${param}.`, {
      status: 502,
      code: 'backend_protocol_error',
    })
  })
  return { rows, towers: misses.map(({ item }) => backendTowerFor(item, result.identity)) }
}

export interface EmbeddedMisses {
  vectors: Float32Array[]
  routes: Route[]
  /** Per miss, the tower that computed it (undefined: unknown, so never cached). */
  towers: (TowerIdentity | undefined)[]
}

/** Edge rows, or backend rows for the same items when the in-process tower cannot load or run. */
async function runEdgeOrFallBack(
  misses: readonly Miss[],
  options: EmbedMissesOptions,
): Promise<Computed & { route: Route }> {
  const { edgeTimeoutMs } = options.config
  try {
    const rows = await options.timings.measure('edge', () =>
      withTimeout(
        (signal) => runEdge(misses, { ...options, signal }),
        edgeTimeoutMs,
        options.signal,
        () => new EdgeTimeoutError(edgeTimeoutMs),
      ),
    )
    return { rows, towers: rows.map(() => options.deps.edgeIdentity), route: 'edge' }
  } catch (error) {
    if (error instanceof EdgeclipError || options.signal?.aborted) throw error
    const busy = error instanceof EdgeQueueFullError
    if (!busy) console.warn('edge tower failed; sending its texts to the backend:', error)
    if (!options.deps.backend) {
      if (error instanceof EdgeTimeoutError) {
        throw new EdgeclipError(
          `The edge text tower did not answer within ${edgeTimeoutMs} ms, and no GPU backend is configured.`,
          { status: 504, code: 'edge_timeout', cause: error },
        )
      }
      // A tower that is down says why (a part's missing file: 503 with its code and Retry-After).
      if (error instanceof Error && error.cause instanceof EdgeclipError) throw error.cause
      const message = busy
        ? 'The in-process text tower is busy and no GPU backend is configured; retry shortly.'
        : 'The in-process text tower is unavailable and no GPU backend is configured.'
      throw new EdgeclipError(message, {
        status: 503,
        code: busy ? 'edge_overloaded' : 'edge_unavailable',
        retryAfter: busy ? 1 : 5,
        cause: error,
      })
    }
    return {
      ...(await options.timings.measure('backend', () => runBackend(misses, options))),
      route: 'backend',
    }
  }
}

export async function embedMisses(
  misses: readonly Miss[],
  options: EmbedMissesOptions,
): Promise<EmbeddedMisses> {
  const hasEdgeTower = options.deps.edgeTower !== undefined
  const routes = misses.map(({ item }) => routeFor(item, hasEdgeTower, options.config.edgeMaxTokens))
  const edgeMisses = misses.filter((_, index) => routes[index] === 'edge')
  const backendMisses = misses.filter((_, index) => routes[index] === 'backend')
  // One failed item fails the request: the other side's work is then for nobody, so it stops too.
  const failed = new AbortController()
  const signal = options.signal ? AbortSignal.any([options.signal, failed.signal]) : failed.signal
  const stopOnFailure = <T>(work: Promise<T>): Promise<T> =>
    work.catch((error: unknown) => {
      failed.abort(error)
      throw error
    })
  const none: Computed = { rows: [], towers: [] }
  const [edge, backend] = await Promise.all([
    edgeMisses.length > 0
      ? stopOnFailure(runEdgeOrFallBack(edgeMisses, { ...options, signal }))
      : { ...none, route: 'edge' as const },
    backendMisses.length > 0
      ? stopOnFailure(
          options.timings.measure('backend', () => runBackend(backendMisses, { ...options, signal })),
        )
      : none,
  ])
  let edgeCursor = 0
  let backendCursor = 0
  const vectors: Float32Array[] = []
  const towers: (TowerIdentity | undefined)[] = []
  for (const route of routes) {
    const [from, position] = route === 'edge' ? [edge, edgeCursor++] : [backend, backendCursor++]
    vectors.push(from.rows[position]!)
    towers.push(from.towers[position])
  }
  return { vectors, towers, routes: routes.map((route) => (route === 'edge' ? edge.route : route)) }
}
