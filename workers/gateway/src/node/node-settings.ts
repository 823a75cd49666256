// The Node host's settings, read from the environment once at startup. Bad values stop the
// process with a message that names the variable, rather than surfacing at the first request.
import { resolve } from 'node:path'
import { defaultModelSpec } from '@edgeclip/core'
import { COLD_START_DEFAULTS } from '../adapters/backend/cold-start-backend'
import {
  DEFAULT_RATE_LIMIT_FAILURE_MODE,
  type RateLimitFailureMode,
} from '../adapters/rate-limit/redis-rate-limiter.node.js'
import { type GatewayConfig, parseCorsOrigins, resolveGatewayConfig } from '../config'

export type ModelSource = { kind: 'fixture'; dir?: string } | { kind: 'dir'; dir: string }

/**
 * A backend deployed on Modal: a function called through Modal's SDK (MODAL_APP, MODAL_FUNCTION;
 * credentials from MODAL_TOKEN_ID/MODAL_TOKEN_SECRET) or a web endpoint behind proxy auth (MODAL_URL).
 */
export type ModalSettings =
  | {
      kind: 'function'
      appName: string
      functionName: string
      /** MODAL_TOKEN_ID / MODAL_TOKEN_SECRET / MODAL_ENVIRONMENT; unset: the SDK's ~/.modal.toml profile. */
      tokenId: string | undefined
      tokenSecret: string | undefined
      environment: string | undefined
    }
  | { kind: 'endpoint'; url: string; key: string | undefined; secret: string | undefined }

export interface NodeGatewaySettings {
  port: number
  host: string
  dataDir: string
  auth: boolean
  model: ModelSource
  /** Undefined when BACKEND_URL=off: then only the edge tower serves (short texts). MODAL_URL wins over it. */
  backendUrl: string | undefined
  backendSecret: string | undefined
  modal: ModalSettings | undefined
  /** With REDIS_URL, keys, rate limits and the L2 cache are shared by every replica through Redis. */
  redisUrl: string | undefined
  /** How a Modal backend's cold start is met (EDGECLIP_COLD_WAIT_MS, EDGECLIP_COLD_START_MS). */
  coldStart: { coldWaitMs: number; expectedColdStartMs: number }
  /** What rate limits do while Redis is unreachable (EDGECLIP_RATE_LIMIT_ON_REDIS_ERROR). */
  rateLimitOnRedisError: RateLimitFailureMode
  /** Largest request head (request line and headers) node:http accepts; larger gets 431. */
  maxHeaderBytes: number
  /** Time a client has to send one whole request (headers and body); node:http answers 408 past it. */
  requestTimeoutMs: number
  /** Bytes of the in-process L1 cache. */
  memoryCacheBytes: number
  /** Run the text tower in process (EDGECLIP_EDGE=off sends every miss to the backend). */
  edgeTower: boolean
  config: GatewayConfig
}

export const DEFAULT_PORT = 8787
export const DEFAULT_BACKEND_URL = 'http://127.0.0.1:8788'
/** node:http's own default, stated so that it is documented and configurable. */
export const DEFAULT_MAX_HEADER_BYTES = 16 * 1024
/**
 * node:http's default is 300 s, which lets slow-drip uploads hold sockets for five minutes. A whole
 * 32 MiB body at 1 MB/s arrives in about 35 s, so 60 s refuses only clients that stall.
 */
export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000

type Env = Readonly<Record<string, string | undefined>>

function integer(env: Env, name: string, fallback: number, minimum = 0): number {
  const raw = env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isSafeInteger(value) || value < minimum) {
    throw new Error(`${name} must be an integer >= ${minimum}, got '${raw}'.`)
  }
  return value
}

function failureMode(env: Env, name: string): RateLimitFailureMode {
  const raw = env[name]
  if (raw === undefined || raw === '') return DEFAULT_RATE_LIMIT_FAILURE_MODE
  if (raw !== 'open' && raw !== 'closed') throw new Error(`${name} must be 'open' or 'closed', got '${raw}'.`)
  return raw
}

const isOff = (value: string | undefined) => value !== undefined && /^(off|false|0|no)$/i.test(value)

export function readNodeSettings(env: Env = process.env): NodeGatewaySettings {
  // `pnpm --filter` runs us inside the package; relative paths mean where the user typed the command.
  const callerDir = env.INIT_CWD || process.cwd()
  const dataDir = resolve(callerDir, env.EDGECLIP_DATA_DIR || './.edgeclip')
  const fixture = env.EDGECLIP_MODEL === 'fixture'
  if (env.EDGECLIP_MODEL && !fixture && env.EDGECLIP_MODEL !== defaultModelSpec.id) {
    throw new Error(
      `EDGECLIP_MODEL must be 'fixture' or '${defaultModelSpec.id}', got '${env.EDGECLIP_MODEL}'.`,
    )
  }
  const modelDir = env.EDGECLIP_MODEL_DIR ? resolve(callerDir, env.EDGECLIP_MODEL_DIR) : undefined
  const model: ModelSource = fixture
    ? { kind: 'fixture', ...(modelDir ? { dir: modelDir } : {}) }
    : { kind: 'dir', dir: modelDir ?? resolve(dataDir, 'models', defaultModelSpec.id) }
  const modal: ModalSettings | undefined = env.MODAL_APP
    ? {
        kind: 'function',
        appName: env.MODAL_APP,
        functionName: env.MODAL_FUNCTION || 'embed_batch',
        tokenId: env.MODAL_TOKEN_ID || undefined,
        tokenSecret: env.MODAL_TOKEN_SECRET || undefined,
        environment: env.MODAL_ENVIRONMENT || undefined,
      }
    : env.MODAL_URL
      ? {
          kind: 'endpoint',
          url: env.MODAL_URL,
          key: env.MODAL_KEY || undefined,
          secret: env.MODAL_SECRET || undefined,
        }
      : undefined
  const backendUrl = isOff(env.BACKEND_URL) ? undefined : env.BACKEND_URL || DEFAULT_BACKEND_URL
  const base = resolveGatewayConfig()
  return {
    port: integer(env, 'PORT', DEFAULT_PORT),
    host: env.HOST || '127.0.0.1',
    dataDir,
    auth: !isOff(env.EDGECLIP_AUTH),
    model,
    backendUrl,
    backendSecret: env.BACKEND_SECRET || undefined,
    modal,
    redisUrl: env.REDIS_URL || undefined,
    coldStart: {
      coldWaitMs: integer(env, 'EDGECLIP_COLD_WAIT_MS', COLD_START_DEFAULTS.coldWaitMs, 1),
      expectedColdStartMs: integer(env, 'EDGECLIP_COLD_START_MS', COLD_START_DEFAULTS.expectedColdStartMs, 1),
    },
    rateLimitOnRedisError: failureMode(env, 'EDGECLIP_RATE_LIMIT_ON_REDIS_ERROR'),
    maxHeaderBytes: integer(env, 'EDGECLIP_MAX_HEADER_BYTES', DEFAULT_MAX_HEADER_BYTES, 1024),
    requestTimeoutMs: integer(env, 'EDGECLIP_REQUEST_TIMEOUT_MS', DEFAULT_REQUEST_TIMEOUT_MS, 100),
    memoryCacheBytes: integer(env, 'EDGECLIP_MEMORY_CACHE_BYTES', 256 * 1024 * 1024, 1),
    edgeTower: !isOff(env.EDGECLIP_EDGE),
    config: resolveGatewayConfig({
      edgeMaxTokens: integer(env, 'EDGECLIP_EDGE_MAX_TOKENS', base.edgeMaxTokens),
      backendTimeoutMs: integer(env, 'EDGECLIP_BACKEND_TIMEOUT_MS', base.backendTimeoutMs, 1),
      edgeTimeoutMs: integer(env, 'EDGECLIP_EDGE_TIMEOUT_MS', base.edgeTimeoutMs, 1),
      maxInputs: integer(env, 'EDGECLIP_MAX_INPUTS', base.maxInputs, 1),
      maxBodyBytes: integer(env, 'EDGECLIP_MAX_BODY_BYTES', base.maxBodyBytes, 1),
      corsOrigins: parseCorsOrigins(env.EDGECLIP_CORS_ORIGINS),
      defaultLimits: {
        requestsPerMinute: integer(env, 'EDGECLIP_RPM', base.defaultLimits.requestsPerMinute, 1),
        tokensPerMinute: integer(env, 'EDGECLIP_TPM', base.defaultLimits.tokensPerMinute, 1),
      },
    }),
  }
}
