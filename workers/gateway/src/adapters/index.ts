// Runtime-agnostic adapters: safe on Workers and Node (no node:*, no cloudflare:* imports).
// Node-only adapters are in ./node; the Durable Object class is in ./workers.
export * from './auth'
export * from './backend'
export * from './cache'
export * from './image-fetch'
export * from './rate-limit'
