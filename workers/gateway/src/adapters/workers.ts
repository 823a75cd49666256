// Workers-only adapters (they import cloudflare:*): the Worker entry re-exports the Durable Object
// classes from here so wrangler can bind them. Node never imports this file.
export { RateLimiterDurableObject } from './rate-limit/rate-limiter-durable-object.workers'
