// Workers runtime types, imported as a module: the package's one tsconfig also checks the Node host,
// and Workers globals (Request, Response, caches...) would collide with DOM's and Node's there. The
// handlers therefore take DOM Request/Response, which is what workerd passes at runtime.
export type {
  DurableObjectNamespace,
  ExecutionContext,
  KVNamespace,
  R2Bucket,
} from '@cloudflare/workers-types/index'
