// The Worker's fetch handler: one Hono app per isolate over deps from the bindings.
import { isEdgeclipError } from '@edgeclip/core'
import type { ExecutionContext } from 'hono'
import { createGatewayApp, type GatewayApp } from '../app'
import type { DocsAssets } from '../routes'
import { buildIsolateDeps, workersConfig, workersGetDeps } from './deps'
import type { WorkersEnv } from './env'

export interface WorkersHandler {
  fetch(request: Request, env: WorkersEnv, context: ExecutionContext): Promise<Response>
}

/** `wasmModule`: ONNX Runtime's .wasm as wrangler compiled it (workerd cannot compile bytes). */
export function createWorkersHandler(
  wasmModule: WebAssembly.Module,
  docsAssets?: DocsAssets,
): WorkersHandler {
  // Bindings are fixed for an isolate's life (a deploy starts new isolates), so the first
  // request's env builds the app; nothing runs at startup.
  let app: GatewayApp | undefined
  const appFor = (env: WorkersEnv): GatewayApp => {
    if (app) return app
    const config = workersConfig(env)
    app = createGatewayApp({
      config,
      getDeps: workersGetDeps((invalidate) => buildIsolateDeps(env, config, wasmModule, invalidate)),
      ...(docsAssets ? { docsAssets: () => docsAssets } : {}),
    })
    return app
  }
  return {
    async fetch(request, env, context) {
      let gateway: GatewayApp
      try {
        gateway = appFor(env)
      } catch (error) {
        // A bad var (EDGECLIP_EDGE_MAX_TOKENS=abc) answers in the API's error shape, not as a crash.
        if (!isEdgeclipError(error)) throw error
        return Response.json(error.toBody(), { status: error.status })
      }
      return gateway.fetch(request, env, context)
    },
  }
}
