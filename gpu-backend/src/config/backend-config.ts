// The backend's settings, from the environment. Every knob has a default; a bad value stops the
// process at startup with the variable's name instead of misbehaving later.
import { availableParallelism } from 'node:os'
import { defaultMaxImagePixels, type OnnxVariant } from '@edgeclip/core'

export type ProviderChoice = 'auto' | 'cuda' | 'webgpu' | 'cpu'

export interface BackendConfig {
  host: string
  port: number
  /** The fixture from a directory too when EDGECLIP_MODEL_DIR is set (as `pnpm edgeclip model fixture` writes it). */
  model: { kind: 'fixture'; dir?: string } | { kind: 'dir'; dir: string }
  /** Undefined only when BACKEND_AUTH=off (e.g. behind Modal proxy auth alone). */
  secret: string | undefined
  provider: ProviderChoice
  /**
   * Tower files per provider: fp16 halves memory and doubles throughput on a GPU; the CPU runs fp32.
   * A GPU never gets int8: its DynamicQuantizeMatMul has no GPU kernel and would run on the CPU.
   */
  variant: { cuda: OnnxVariant; webgpu: OnnxVariant; cpu: OnnxVariant }
  text: { maxBatchSize: number; maxWaitMs: number; maxBatchTokens: number }
  image: { maxBatchSize: number; maxWaitMs: number }
  /** Waiting items per tower; at least the gateway's 2048 inputs, so its largest request fits. */
  maxQueuedTexts: number
  maxQueuedImages: number
  retryAfterSeconds: number
  maxImagePixels: number
  /** Worker threads decoding and preprocessing images; 0 does it on the main thread. */
  imageThreads: number
  maxRequestBytes: number
  /** Time a client has to send one whole request (headers and body); node:http answers 408 past it. */
  requestTimeoutMs: number
  /** How long SIGTERM waits for in-flight batches before exiting anyway. */
  shutdownTimeoutMs: number
}

// Defaults measured on the fixture and noted in gpu-backend/README.md ("Batching defaults").
export const defaultBatching = {
  text: { maxBatchSize: 32, maxWaitMs: 0, maxBatchTokens: 16_384 },
  image: { maxBatchSize: 16, maxWaitMs: 0 },
  maxQueuedTexts: 4096,
  maxQueuedImages: 2048,
} as const

/** One thread per core but one (the main thread runs HTTP and the batcher), at most 8. */
function defaultImageThreads(): number {
  return Math.max(1, Math.min(8, availableParallelism() - 1))
}

/**
 * node:http's default is 300 s: a stalled upload held its socket (and held up shutdown) that long.
 * A whole 64 MiB body at 2 MB/s arrives in about 35 s, so 60 s refuses only clients that stall.
 */
export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000

const variants: readonly OnnxVariant[] = ['fp32', 'fp16', 'int8', 'q4']

export class ConfigError extends Error {
  override name = 'ConfigError'
}

type Env = Record<string, string | undefined>

function integer(env: Env, name: string, fallback: number, minimum = 1): number {
  const raw = env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isSafeInteger(value) || value < minimum) {
    throw new ConfigError(`${name} must be an integer >= ${minimum}, got '${raw}'`)
  }
  return value
}

function variant(env: Env, name: string, fallback: OnnxVariant, gpu = false): OnnxVariant {
  const raw = env[name]
  if (raw === undefined || raw === '') return fallback
  const allowed = gpu ? variants.filter((value) => value !== 'int8') : variants
  if (!allowed.includes(raw as OnnxVariant)) {
    const why = gpu && raw === 'int8' ? ' (int8 runs DynamicQuantizeMatMul, which GPUs run on the CPU)' : ''
    throw new ConfigError(`${name} must be one of ${allowed.join(', ')}, got '${raw}'${why}`)
  }
  return raw as OnnxVariant
}

export function readBackendConfig(env: Env = process.env): BackendConfig {
  const authOff = /^(off|false|0|no)$/i.test(env.BACKEND_AUTH ?? '')
  const secret = env.BACKEND_SECRET || undefined
  if (!secret && !authOff) {
    throw new ConfigError('BACKEND_SECRET is not set; set it (the gateway sends it) or BACKEND_AUTH=off')
  }
  const provider = (env.EDGECLIP_BACKEND_PROVIDER || 'auto') as ProviderChoice
  if (!['auto', 'cuda', 'webgpu', 'cpu'].includes(provider)) {
    throw new ConfigError(`EDGECLIP_BACKEND_PROVIDER must be auto, cuda, webgpu or cpu, got '${provider}'`)
  }
  const fixture = env.EDGECLIP_MODEL === 'fixture'
  if (!fixture && !env.EDGECLIP_MODEL_DIR) {
    throw new ConfigError('set EDGECLIP_MODEL_DIR to a model directory, or EDGECLIP_MODEL=fixture')
  }
  return {
    host: env.HOST || '127.0.0.1',
    port: integer(env, env.BACKEND_PORT ? 'BACKEND_PORT' : 'PORT', 8788, 0),
    model: fixture
      ? { kind: 'fixture', ...(env.EDGECLIP_MODEL_DIR ? { dir: env.EDGECLIP_MODEL_DIR } : {}) }
      : { kind: 'dir', dir: env.EDGECLIP_MODEL_DIR! },
    secret: authOff ? undefined : secret,
    provider,
    variant: {
      cuda: variant(env, 'EDGECLIP_BACKEND_VARIANT_CUDA', 'fp16', true),
      webgpu: variant(env, 'EDGECLIP_BACKEND_VARIANT_WEBGPU', 'fp16', true),
      cpu: variant(env, 'EDGECLIP_BACKEND_VARIANT_CPU', 'fp32'),
    },
    text: {
      maxBatchSize: integer(env, 'BATCH_MAX_TEXTS', defaultBatching.text.maxBatchSize),
      maxWaitMs: integer(env, 'BATCH_MAX_WAIT_MS', defaultBatching.text.maxWaitMs, 0),
      maxBatchTokens: integer(env, 'BATCH_MAX_TOKENS', defaultBatching.text.maxBatchTokens),
    },
    image: {
      maxBatchSize: integer(env, 'BATCH_MAX_IMAGES', defaultBatching.image.maxBatchSize),
      maxWaitMs: integer(env, 'BATCH_MAX_WAIT_MS', defaultBatching.image.maxWaitMs, 0),
    },
    maxQueuedTexts: integer(env, 'QUEUE_MAX_TEXTS', defaultBatching.maxQueuedTexts),
    maxQueuedImages: integer(env, 'QUEUE_MAX_IMAGES', defaultBatching.maxQueuedImages),
    retryAfterSeconds: integer(env, 'RETRY_AFTER_SECONDS', 1),
    maxImagePixels: integer(env, 'MAX_IMAGE_PIXELS', defaultMaxImagePixels),
    imageThreads: integer(env, 'IMAGE_THREADS', defaultImageThreads(), 0),
    maxRequestBytes: integer(env, 'MAX_REQUEST_BYTES', 64 * 1024 * 1024),
    requestTimeoutMs: integer(env, 'REQUEST_TIMEOUT_MS', DEFAULT_REQUEST_TIMEOUT_MS, 100),
    shutdownTimeoutMs: integer(env, 'SHUTDOWN_TIMEOUT_MS', 30_000, 0),
  }
}
