// Serves the gateway app over node:http, tracks after-response work and drains it on close.
import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import { createGatewayApp, type GatewayApp } from '../app'
import type { GatewayDeps } from '../ports'
import { nodeDocsAssets } from './docs-assets'
import { createNodeDeps, type NodeModel } from './node-deps'
import type { NodeGatewaySettings } from './node-settings'

/** node:http's own headers deadline; a shorter request timeout lowers it too. */
const DEFAULT_HEADERS_TIMEOUT_MS = 60_000

export interface StartNodeGatewayOptions {
  settings: NodeGatewaySettings
  model: NodeModel
  /** Replaces parts of the wiring (tests: a permissive image fetcher, a failing cache). */
  overrides?: Partial<Omit<GatewayDeps, 'waitUntil'>>
  log?: (line: string) => void
}

export interface NodeGateway {
  app: GatewayApp
  url: string
  port: number
  deps: GatewayDeps
  /** Resolves once every after-response task started so far (cache write-backs) has settled. */
  idle(): Promise<void>
  /** Stops accepting connections, waits for cache write-backs, releases the tower. */
  close(): Promise<void>
}

function describeBackend(settings: NodeGatewaySettings, configured: boolean): string {
  if (!configured) return 'none'
  if (settings.modal?.kind === 'function')
    return `modal:${settings.modal.appName}/${settings.modal.functionName}`
  return settings.modal?.url ?? settings.backendUrl ?? 'none'
}

export async function startNodeGateway(options: StartNodeGatewayOptions): Promise<NodeGateway> {
  const { settings, model } = options
  const log = options.log ?? ((line: string) => console.log(line))
  const pending = new Set<Promise<unknown>>()
  const deps: GatewayDeps = {
    ...createNodeDeps(settings, model),
    ...options.overrides,
    waitUntil: (promise) => {
      const tracked = promise.catch(() => undefined).finally(() => pending.delete(tracked))
      pending.add(tracked)
    },
  }
  const app = createGatewayApp({ getDeps: () => deps, config: settings.config, docsAssets: nodeDocsAssets })
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const started = serve(
      {
        fetch: app.fetch,
        port: settings.port,
        hostname: settings.host,
        serverOptions: {
          // node:http answers 431 past this, before any of our code runs.
          maxHeaderSize: settings.maxHeaderBytes,
          // ...and 408 to a request not received whole in time (headers may not take longer).
          requestTimeout: settings.requestTimeoutMs,
          headersTimeout: Math.min(settings.requestTimeoutMs, DEFAULT_HEADERS_TIMEOUT_MS),
          // node checks those deadlines on this interval (30 s by default), so it bounds their slack.
          connectionsCheckingInterval: Math.min(1_000, settings.requestTimeoutMs),
        },
      },
      () => resolve(started),
    )
    started.once('error', reject)
  })
  const { port } = server.address() as AddressInfo
  const host = settings.host.includes(':') ? `[${settings.host}]` : settings.host
  const url = `http://${host}:${port}`
  if (!settings.auth) log('edgeclip gateway: AUTH IS OFF (EDGECLIP_AUTH=off): every caller is served')
  log(
    `edgeclip gateway: ${url} model=${model.spec.id}@${model.spec.revision} auth=${settings.auth ? 'on' : 'off'} ` +
      `edge=${deps.edgeTower ? `<=${settings.config.edgeMaxTokens} tokens` : 'off'} backend=${describeBackend(settings, deps.backend !== undefined)}`,
  )

  let closing: Promise<void> | undefined
  const close = () => {
    closing ??= (async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await Promise.allSettled([...pending])
      await model.release()
    })()
    return closing
  }
  const idle = async () => {
    await Promise.allSettled([...pending])
  }
  return { app, url, port, deps, idle, close }
}
