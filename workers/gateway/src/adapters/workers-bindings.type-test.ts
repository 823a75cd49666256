// Real Workers binding types must satisfy the structural slices the adapters accept, so the
// Workers host passes env.CACHE / env.KEYS / env.RATE_LIMITER without casts. Checked by tsc
// (typecheck), not at run time.
import type { DurableObjectNamespace, KVNamespace } from '@cloudflare/workers-types/index'
import type { KvKeyNamespaceLike, KvNamespaceLike, RateLimiterNamespaceLike } from '.'
import type { RateLimiterDurableObject } from './workers'

type Accepts<Target, Source extends Target> = Source

export type BindingsFit = [
  Accepts<KvNamespaceLike, KVNamespace>,
  Accepts<KvKeyNamespaceLike, KVNamespace>,
  Accepts<RateLimiterNamespaceLike, DurableObjectNamespace<RateLimiterDurableObject>>,
]
