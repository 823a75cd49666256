// Node-only image fetcher (node:dns, node:http); the Workers bundle never imports this file.
export type { HostResolver, NodeSafeImageFetcherOptions, ResolvedAddress } from './safe-image-fetcher.node.js'
export { NodeSafeImageFetcher, systemResolver } from './safe-image-fetcher.node.js'
