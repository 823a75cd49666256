// Node adapters: everything in the runtime-agnostic barrel plus the *.node.ts adapters.
export * from '.'
export * from './auth/node'
export * from './backend/node'
export * from './cache/node'
export * from './image-fetch/node'
export * from './rate-limit/node'
