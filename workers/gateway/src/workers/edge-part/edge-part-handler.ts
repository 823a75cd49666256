// The part Worker's fetch handler: a tensor bundle in, this part's layers run, and the result
// either forwarded to the next part (NEXT) or, from the last part, answered as `text_embeds`.
// Only service bindings reach it (no route, no workers.dev URL; see wrangler.edge-part.jsonc).
import { EdgeclipError, isEdgeclipError } from '@edgeclip/core'
import { encodeTensorBundle, type TensorMap } from '@edgeclip/edge-model'
import { EDGE_BUILD_HEADER, TENSOR_BUNDLE_TYPE } from '../edge-tower'
import type { EdgePartEnv } from './edge-part-env'
import { buildMismatch, type LoadedEdgePart, loadEdgePart } from './load-edge-part'
import { decodeHop, partFeeds } from './part-feeds'

export interface EdgePartHandler {
  fetch(request: Request, env: EdgePartEnv): Promise<Response>
}

function errorResponse(error: unknown): Response {
  if (isEdgeclipError(error)) {
    const headers: Record<string, string> = error.retryAfter
      ? { 'retry-after': String(error.retryAfter) }
      : {}
    return Response.json(error.toBody(), { status: error.status, headers })
  }
  console.error('edge part failed:', error)
  const failure = new EdgeclipError(`The edge part failed: ${String(error)}`, {
    status: 500,
    code: 'edge_part_failed',
  })
  return Response.json(failure.toBody(), { status: 500 })
}

const bundleRequest = (url: string, buildId: string, tensors: TensorMap) =>
  new Request(url, {
    method: 'POST',
    headers: { 'content-type': TENSOR_BUNDLE_TYPE, [EDGE_BUILD_HEADER]: buildId },
    body: encodeTensorBundle(tensors),
  })

/** The build the sender's layers belong to; a hop without one cannot be told apart from another build's. */
function requestedBuild(request: Request): string {
  const buildId = request.headers.get(EDGE_BUILD_HEADER)
  if (!buildId) {
    throw new EdgeclipError(`Send the edge build id in ${EDGE_BUILD_HEADER}.`, {
      status: 400,
      code: 'missing_edge_build',
    })
  }
  return buildId
}

/** `wasmModule`: ONNX Runtime's .wasm as wrangler compiled it (workerd cannot compile bytes). */
export function createEdgePartHandler(wasmModule: WebAssembly.Module): EdgePartHandler {
  // One part per isolate, loaded by the first request; a failed load is retried by the next one.
  let loading: Promise<LoadedEdgePart> | undefined
  return {
    async fetch(request, env) {
      try {
        if (request.method !== 'POST') {
          throw new EdgeclipError('POST a tensor bundle.', { status: 405, code: 'method_not_allowed' })
        }
        const buildId = requestedBuild(request)
        const tensors = decodeHop(new Uint8Array(await request.arrayBuffer()))
        loading ??= loadEdgePart(env, wasmModule).catch((error: unknown) => {
          loading = undefined
          throw error
        })
        const loaded = await loading
        // Checked before running: this part's layers on another build's hidden states are garbage.
        if (loaded.manifest.buildId !== buildId) {
          throw buildMismatch(
            `Part ${loaded.index} holds edge build ${loaded.manifest.buildId}, not ${buildId}.`,
          )
        }
        const outputs = await loaded.session.run(partFeeds(loaded, tensors))
        const { manifest } = loaded
        if (loaded.last) {
          const output = outputs[manifest.output]
          if (!output) throw new Error(`the last part gave no ${manifest.output}`)
          return new Response(encodeTensorBundle({ [manifest.output]: output }), {
            headers: { 'content-type': TENSOR_BUNDLE_TYPE },
          })
        }
        if (!env.NEXT) {
          throw new EdgeclipError(`Part ${loaded.index} is not the last, and its NEXT binding is unset.`, {
            status: 503,
            code: 'edge_part_misconfigured',
          })
        }
        // The later parts rebuild the pad mask and ALiBi bias from the ids, so they travel along.
        const ids = tensors[manifest.idsInput]!
        return await env.NEXT.fetch(
          bundleRequest(request.url, buildId, { [manifest.idsInput]: ids, ...outputs }),
        )
      } catch (error) {
        return errorResponse(error)
      }
    },
  }
}
