// The Worker's env: vars from the generated `Env` (worker-configuration.d.ts), bindings typed from
// @cloudflare/workers-types (see runtime-types.ts for why), secrets optional because a deploy may
// set none of them.
import type { RateLimiterDurableObject } from '../adapters/workers'
import type { ServiceBinding } from './edge-tower'
import type { DurableObjectNamespace, KVNamespace, R2Bucket } from './runtime-types'

type Binding = 'CACHE' | 'KEYS' | 'MODELS' | 'RATE_LIMITER' | 'EDGE_TOWER'
type Secret = 'BACKEND_SECRET' | 'MODAL_KEY' | 'MODAL_SECRET'

export type WorkersEnv = Omit<Env, Binding | Secret> &
  Partial<Pick<Env, Secret>> & {
    /** Embedding L2 cache: raw float32 vectors by exact cache key. */
    CACHE: KVNamespace
    /** API key records by key hash. */
    KEYS: KVNamespace
    /** Model files under `<model id>/<revision>/<file>`. */
    MODELS: R2Bucket
    /** One RateLimiterDurableObject per API key. */
    RATE_LIMITER: DurableObjectNamespace<RateLimiterDurableObject>
    /** The first part Worker of the split edge tower; a deploy without it sends texts to the backend. */
    EDGE_TOWER?: ServiceBinding
    /** Optional var: the edge path's deadline in ms (GatewayConfig.edgeTimeoutMs). */
    EDGECLIP_EDGE_TIMEOUT_MS?: string
  }
