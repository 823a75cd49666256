// Runtime sniffing, kept to the two questions the client asks.

/** Node (and Bun/Deno in Node-compatible mode): where file paths and node:fs make sense. */
export function isNodeLike(): boolean {
  // Workers with nodejs_compat report a Node version but have no real file system to read images from.
  const agent = (globalThis as { navigator?: { userAgent?: string } }).navigator?.userAgent
  if (agent === 'Cloudflare-Workers') return false
  const process = (globalThis as { process?: { versions?: { node?: string } } }).process
  return typeof process?.versions?.node === 'string'
}

/** A browser page or browser worker: where `user-agent` cannot be set and extra headers cost a preflight. */
export function isBrowser(): boolean {
  const scope = globalThis as { window?: unknown; document?: unknown; importScripts?: unknown }
  return (
    (typeof scope.window !== 'undefined' && typeof scope.document !== 'undefined') ||
    (typeof scope.importScripts === 'function' && !isNodeLike())
  )
}
